"""Limited-edition drops (issue 11, h5): edition size, embargo, eligibility, per-buyer
caps, requests before the embargo and the fair-share allocation at the drop.
"""
