"""`platformctl new-app`: a new data app from the project's own conventions, registered in every env."""
