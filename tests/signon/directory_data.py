"""The small directory the sign-on tests run Debian's slapd with (tests/signon/conftest.py).

    dc=example,dc=org
    ├── ou=services   cn=portal            the portal's search account
    ├── ou=people     wang   E1001  in cn=reviewers
    │                 zhao   E1002  in cn=auditors
    │                 qian   E1003  (no person in the portal until a test makes one)
    │                 sun    E1004  disabled the Active Directory way (userAccountControl 514)
    │                 li     E1005  locked by OpenLDAP's password policy (pwdAccountLockedTime)
    │                 zhou   E1006  employeeType "disabled" (for LDAP_DISABLED_FILTER)
    │                 alice  E1007  the same name as a local account of the portal
    └── ou=groups     cn=reviewers, cn=auditors (groupOfNames)

Each user's password is "<uid>-pass".
"""

from base64 import b64encode

BASE = "dc=example,dc=org"
PEOPLE = f"ou=people,{BASE}"
GROUPS = f"ou=groups,{BASE}"
SEARCH_DN = f"cn=portal,ou=services,{BASE}"
SEARCH_PASSWORD = "portal-search-pass"
REVIEWERS = f"cn=reviewers,{GROUPS}"
AUDITORS = f"cn=auditors,{GROUPS}"

# uid: (name, employee number, extra attribute lines)
USERS = {
    "wang": ("王芳", "E1001", []),
    "zhao": ("赵强", "E1002", []),
    "qian": ("钱明", "E1003", []),
    "sun": ("孙丽", "E1004", ["userAccountControl: 514"]),
    "li": ("李雷", "E1005", ["pwdAccountLockedTime: 000001010000Z"]),
    "zhou": ("周杰", "E1006", ["employeeType: disabled"]),
    "alice": ("Alice Directory", "E1007", []),
}
MEMBERS = {REVIEWERS: ["wang"], AUDITORS: ["zhao"]}


def password(uid: str) -> str:
    return f"{uid}-pass"


def dn(uid: str) -> str:
    return f"uid={uid},{PEOPLE}"


# Active Directory's disabled bit, on an OpenLDAP entry: the attribute with AD's own OID and an
# auxiliary class of the tests' own to carry it.
SCHEMA = """\
attributetype ( 1.2.840.113556.1.4.8 NAME 'userAccountControl'
  EQUALITY integerMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
objectclass ( 1.3.6.1.4.1.55555.1.1 NAME 'pbTestAccount' AUXILIARY MAY userAccountControl )
"""

CONFIG = """\
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include {folder}/test.schema
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload ppolicy
pidfile {folder}/slapd.pid
argsfile {folder}/slapd.args
database mdb
maxsize 10485760
suffix "{base}"
rootdn "cn=admin,{base}"
rootpw not-used-by-the-portal
directory {folder}/db
overlay ppolicy
access to attrs=userPassword by anonymous auth by * none
access to * by users read by * none
"""


def ldif() -> str:
    entries = [
        [
            f"dn: {BASE}",
            "objectClass: dcObject",
            "objectClass: organization",
            "o: Example",
            "dc: example",
        ],
        [f"dn: ou=services,{BASE}", "objectClass: organizationalUnit", "ou: services"],
        [
            f"dn: {SEARCH_DN}",
            "objectClass: organizationalRole",
            "objectClass: simpleSecurityObject",
            "cn: portal",
            f"userPassword: {SEARCH_PASSWORD}",
        ],
        [f"dn: {PEOPLE}", "objectClass: organizationalUnit", "ou: people"],
        [f"dn: {GROUPS}", "objectClass: organizationalUnit", "ou: groups"],
    ]
    for uid, (name, number, extra) in USERS.items():
        entries.append(
            [
                f"dn: {dn(uid)}",
                "objectClass: inetOrgPerson",
                "objectClass: pbTestAccount",
                f"uid: {uid}",
                f"cn: {uid}",
                f"sn: {uid}",
                f"displayName:: {b64encode(name.encode()).decode()}",  # UTF-8: base64 in LDIF
                f"mail: {uid}@example.org",
                f"employeeNumber: {number}",
                f"userPassword: {password(uid)}",
                *extra,
            ]
        )
    for group, uids in MEMBERS.items():
        cn = group.split(",")[0].removeprefix("cn=")
        entries.append(
            [f"dn: {group}", "objectClass: groupOfNames", f"cn: {cn}"]
            + [f"member: {dn(uid)}" for uid in uids]
        )
    return "\n\n".join("\n".join(lines) for lines in entries) + "\n"
