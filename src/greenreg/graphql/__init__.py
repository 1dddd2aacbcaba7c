"""The GraphQL API (strawberry): schema, types, resolvers, per-request loaders, limits."""
