"""review/pages"""
