"""Adapters for training and evaluation frameworks: TRL (:mod:`.trl`), openenv's harness
(:mod:`.harness`) and verifiers (documented in the README, Training and evaluation)."""
