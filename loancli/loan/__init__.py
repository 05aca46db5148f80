"""loan"""
