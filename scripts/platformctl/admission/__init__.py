"""The admission gate of `platformctl validate`: Pod Security Standards and the AKS Azure Policy initiative.

Modules: `pods` (pod templates of rendered workloads), `namespaces` (the Pod Security level each
namespace enforces), `pss` (the Pod Security Standards checks, per level and version), `azure` (the
initiative of cluster.yaml and its policy definitions), `violations` (parts of a message), `gate`
(judges every pod, applies policies/exceptions.yaml, returns findings).
"""
