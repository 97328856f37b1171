"""Directory sign-on: LDAP / Active Directory and OpenID Connect (docs/sign-on.md)."""
