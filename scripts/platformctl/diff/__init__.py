"""`platformctl diff`: what a change does to every environment, object by object, from two renders."""
