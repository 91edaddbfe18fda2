"""Workshop facilitation without Qt: estimate rounds served to phones and their merge."""
