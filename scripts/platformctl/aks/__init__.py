"""AKS clusters as code: clusters/<env>/cluster.yaml -> ARM request bodies -> plan, diff, apply, bootstrap."""
