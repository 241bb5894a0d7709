"""Reading a live environment through Argo CD: its Applications, their sync, health and hook results."""
