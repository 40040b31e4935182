"""One adapter per sender: verify its signature over the raw body, then parse its shape."""
