"""The AKS Azure Policy pod-security initiative: who it covers (`initiative`) and what it denies (`policies`)."""
