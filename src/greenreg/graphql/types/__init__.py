"""GraphQL output types: each maps one read-model view, adding nothing but links via loaders."""
