"""Behaviour that is truly one API's own, registered by operationId. Everything else is YAML."""
