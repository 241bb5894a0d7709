"""Upstream chart archives: which charts the environments pin, the committed lock of their digests,
`platformctl charts pull` (helm pull into the chart cache, verified) and the `charts` gate of validate.

Layout: `pins` (what the envs deploy), `lock` (clusters/charts.lock.yaml), `pull` (download and
verify), `check` (validate's findings and its one-line coverage summary). See docs/contracts.md.
"""
