#!/usr/bin/env python3
"""Generates a QuickFIX data dictionary (FIX42.xml, FIX44.xml) from the FIX
Repository of the FIX Trading Community.

Source of facts: the repository's Base/ files of one version (Fields.xml,
Enums.xml, Messages.xml, MsgContents.xml, Components.xml, Datatypes.xml), read
from fix_repo.zip (as shipped in the npm package jspurefix@5.11.4, file
data/fix_repo.zip) or from an unzipped copy of it.

    python3 fixspec/gen_dictionary.py PATH/fix_repo.zip 4.4 -o fixspec/FIX44.xml
    python3 fixspec/gen_dictionary.py PATH/fix_repo.zip 4.2 -o fixspec/FIX42.xml

The output is deterministic: the same repository gives byte-identical files,
whether read from the zip or from a folder. Python 3 standard library only.

Mapping (the format QuickFIX 1.15.1 DataDictionary::readFromURL reads):
- <fields>: every field of the version, by tag number, with the QuickFIX type
  name of its repository datatype (DATATYPES below; an unknown datatype is an
  error) and every enumeration value of the version as <value enum
  description>, the description being the value's SymbolicName in
  UPPER_SNAKE_CASE (QuickFIX convention: 150=F TRADE, 54=1 BUY).
- <header>/<trailer>: the StandardHeader/StandardTrailer components, with
  component references expanded (QuickFIX reads only <field> and <group>
  there). Required header fields carry required="Y" as in the spec; QuickFIX
  1.15.1 honours only "true" there and leaves header checks to the Session.
- <messages>: every message of the version in repository order, named by
  the SymbolicName of its MsgType (35) value (FIX 4.2 Messages.xml says
  OrderSingle for D, its MsgType enumeration NewOrderSingle); msgcat
  "admin" for the Session category, "app" otherwise.
- <components>: every component of the version except StandardHeader and
  StandardTrailer, by name.
- Message and component contents follow MsgContents.xml in Position order.
  A repeating group is the NumInGroup field followed by the entries indented
  one level deeper (nested groups included); it is written as <group
  name="NoXxx"> whose first child is the delimiter QuickFIX uses.
- required="Y" exactly where the repository has Reqd=1, except the
  REQUIRED_OVERRIDES below.

Repository facts this script has to work around (see OPEN_ENUMERATIONS,
REQUIRED_OVERRIDES and check_quickfix_semantics):
- Some fields carry enumerations that do not close their value set (IOIQty
  27 is numeric or S/M/L; FIX 4.2 SettlLocation 166 lists a placeholder
  "ISO Country Code"). QuickFIX rejects any value outside a listed set, so
  these fields are written without <value> elements.
- The FIX 4.4 Enums.xml omits OrdRejReason 12 (ENUM_ADDITIONS).
- FIX 4.4 Instrument/Symbol is Reqd=0 in the repository, "*" in the
  specification (REQUIRED_OVERRIDES).
- Enumerations of fields the version no longer defines (FIX 4.4 Enums.xml
  keeps 47, 219, 465) are skipped.
"""

import argparse
import io
import os
import re
import sys
import xml.etree.ElementTree as ET
import zipfile

# Repository datatype -> QuickFIX 1.15.1 type name (DataDictionary.cpp,
# XMLTypeToType). TagNum has no QuickFIX type of its own: it is an int.
DATATYPES = {
    "int": "INT",
    "Length": "LENGTH",
    "NumInGroup": "NUMINGROUP",
    "SeqNum": "SEQNUM",
    "TagNum": "INT",
    "DayOfMonth": "DAYOFMONTH",
    "float": "FLOAT",
    "Qty": "QTY",
    "Price": "PRICE",
    "PriceOffset": "PRICEOFFSET",
    "Amt": "AMT",
    "Percentage": "PERCENTAGE",
    "char": "CHAR",
    "Boolean": "BOOLEAN",
    "String": "STRING",
    "MultipleValueString": "MULTIPLEVALUESTRING",
    "MultipleStringValue": "MULTIPLEVALUESTRING",
    "MultipleCharValue": "MULTIPLECHARVALUE",
    "Country": "COUNTRY",
    "Currency": "CURRENCY",
    "Exchange": "EXCHANGE",
    "MonthYear": "MONTHYEAR",
    "UTCTimestamp": "UTCTIMESTAMP",
    "UTCTimeOnly": "UTCTIMEONLY",
    "UTCDateOnly": "UTCDATEONLY",
    "UTCDate": "UTCDATE",
    "LocalMktDate": "LOCALMKTDATE",
    "data": "DATA",
}

# Fields whose repository enumeration is not the whole value set; written
# without <value> elements so that QuickFIX accepts every value. Fields with a
# UnionDataType (FIX 4.4: IOIQty 27 is a Qty or S/M/L) and fields with a
# placeholder value (one containing a space) are found automatically; these
# are the ones only the field's description tells.
OPEN_ENUMERATIONS = {
    # IOIShares: "Number of shares in numeric or relative size." (S/M/L).
    ("FIX.4.2", 27),
}

# (version, component or message, tag) -> required flag, where the
# repository's Reqd column does not carry the spec's rule.
REQUIRED_OVERRIDES = {
    # FIX 4.4 Instrument: Symbol is marked "*" in the specification and its
    # description says 'Use "[N/A]" for products which do not have a
    # symbol', so it is present whenever the Instrument block is; the
    # repository has Reqd=0. QuickFIX only enforces it where the message
    # requires the Instrument block (not inside repeating groups).
    ("FIX.4.4", "Instrument", 55): True,
}

# (version, tag) -> [(value, SymbolicName)]: enumeration values the
# version's Enums.xml omits although the version defines them.
ENUM_ADDITIONS = {
    # OrdRejReason 12 Surveillence Option: added in FIX 4.3, listed by the
    # FIX 4.4 specification, and by the repository's FIX 4.3 and FIX 5.0
    # Enums.xml (added FIX.4.3, never deprecated); FIX.4.4/Base omits it.
    # (Unlike OrdStatus 5 Replaced and OrdType 5/A/B/C/F/H, which FIX 4.4
    # removed: FIX 5.0 marks them deprecated since FIX.4.3.)
    ("FIX.4.4", 103): [("12", "SurveillenceOption")],
}

HEADER = "StandardHeader"
TRAILER = "StandardTrailer"


class Source:
    """The Base/ files of one version, from a zip or a folder."""

    def __init__(self, path, version):
        self.version = version
        self.zip = None
        self.files = {}  # file name -> member name or path
        suffix = "/" + version + "/Base/"
        if os.path.isdir(path):
            for root, dirs, names in os.walk(path):
                dirs.sort()
                where = "/" + os.path.abspath(root).replace(os.sep, "/") + "/"
                if where.endswith(suffix):
                    for name in sorted(names):
                        self.files[name] = os.path.join(root, name)
                    break
        else:
            self.zip = zipfile.ZipFile(path)
            for name in sorted(self.zip.namelist()):
                if suffix in "/" + name and not name.endswith("/"):
                    self.files[name.rsplit("/", 1)[1]] = name
        if "Fields.xml" not in self.files:
            sys.exit("%s: no %s/Base/Fields.xml found" % (path, version))

    def parse(self, name):
        if name not in self.files:
            sys.exit("%s/Base/%s missing" % (self.version, name))
        if self.zip:
            data = self.zip.read(self.files[name])
        else:
            with open(self.files[name], "rb") as f:
                data = f.read()
        return ET.parse(io.BytesIO(data)).getroot()


def text(element, tag):
    value = element.findtext(tag)
    return value.strip() if value is not None else None


def upper_snake(symbolic_name):
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_",
                    symbolic_name)
    return re.sub(r"[^A-Za-z0-9]+", "_", spaced).strip("_").upper()


class Field:
    def __init__(self, tag, name, repo_type, union_type):
        self.tag = tag
        self.name = name
        self.repo_type = repo_type
        self.union_type = union_type
        self.values = []  # (enum, description)
        self.symbolic = {}  # enum -> repository SymbolicName
        self.open = False


class Node:
    """One entry of a message or component: a field, a group or a component
    reference."""

    def __init__(self, kind, name, required, tag=None):
        self.kind = kind  # "field", "group" or "component"
        self.name = name
        self.required = required
        self.tag = tag
        self.children = []


class Repository:
    def __init__(self, source):
        self.version = source.version
        fields_root = source.parse("Fields.xml")
        self.edition = fields_root.get("edition", "")
        self.generated = fields_root.get("generated", "")

        self.fields = {}
        for f in fields_root.iter("Field"):
            tag = int(text(f, "Tag"))
            repo_type = text(f, "Type")
            if repo_type not in DATATYPES:
                sys.exit("%s: field %d has datatype %s, not mapped" %
                         (self.version, tag, repo_type))
            if tag in self.fields:
                sys.exit("%s: field %d defined twice" % (self.version, tag))
            self.fields[tag] = Field(tag, text(f, "Name"), repo_type,
                                     text(f, "UnionDataType"))
        names = [f.name for f in self.fields.values()]
        if len(set(names)) != len(names):
            sys.exit("%s: field names are not unique" % self.version)
        self.by_name = {f.name: f for f in self.fields.values()}

        # Every datatype the version declares must be mapped too.
        for d in source.parse("Datatypes.xml").iter("Datatype"):
            if text(d, "Name") not in DATATYPES:
                sys.exit("%s: datatype %s not mapped" %
                         (self.version, text(d, "Name")))

        self.skipped_enum_tags = set()
        for e in source.parse("Enums.xml").iter("Enum"):
            tag = int(text(e, "Tag"))
            if tag not in self.fields:
                self.skipped_enum_tags.add(tag)
                continue
            value = e.findtext("Value")
            field = self.fields[tag]
            if any(v == value for v, _ in field.values):
                sys.exit("%s: value %s of %d listed twice" %
                         (self.version, value, tag))
            field.values.append((value, upper_snake(text(e, "SymbolicName"))))
            field.symbolic[value] = text(e, "SymbolicName")
        for (version, tag), values in sorted(ENUM_ADDITIONS.items()):
            if version != self.version:
                continue
            for value, symbolic in values:
                if any(v == value for v, _ in self.fields[tag].values):
                    sys.exit("%s: %d=%s is no longer missing; drop it from "
                             "ENUM_ADDITIONS" % (version, tag, value))
                self.fields[tag].values.append((value, upper_snake(symbolic)))
                self.fields[tag].symbolic[value] = symbolic
        for field in self.fields.values():
            field.open = bool(field.values) and (
                field.union_type is not None or
                (self.version, field.tag) in OPEN_ENUMERATIONS or
                any(" " in v for v, _ in field.values))

        # (component id, msgtype, name in MsgContents, category)
        self.messages = []
        for m in source.parse("Messages.xml").iter("Message"):
            self.messages.append((int(text(m, "ComponentID")),
                                  text(m, "MsgType"), text(m, "Name"),
                                  text(m, "CategoryID")))
        self.messages.sort()
        # The name a message is written with (QuickFIX makes it the name of
        # the MsgType value): the SymbolicName of its MsgType (35) value,
        # which is stable across versions (FIX 4.2 Messages.xml says
        # OrderSingle where its MsgType enumeration says NewOrderSingle).
        self.message_names = {}
        for msgtype, description in self.fields[35].symbolic.items():
            self.message_names[msgtype] = description
        self.components = {}  # name -> component id
        for c in source.parse("Components.xml").iter("Component"):
            self.components[text(c, "Name")] = int(text(c, "ComponentID"))

        rows = {}
        for c in source.parse("MsgContents.xml").iter("MsgContent"):
            rows.setdefault(int(text(c, "ComponentID")), []).append(
                (float(text(c, "Position")), int(text(c, "Indent")),
                 text(c, "TagText"), text(c, "Reqd") == "1"))
        self.contents = {}
        names_by_id = {cid: name for name, cid in self.components.items()}
        names_by_id.update({cid: name for cid, _, name, _ in self.messages})
        for cid, entries in rows.items():
            if cid not in names_by_id:
                sys.exit("%s: MsgContents of unknown id %d" %
                         (self.version, cid))
            self.contents[names_by_id[cid]] = self.build_tree(
                names_by_id[cid], sorted(entries))
        for name in list(self.components) + [m[2] for m in self.messages]:
            if name not in self.contents:
                sys.exit("%s: %s has no contents" % (self.version, name))

    def build_tree(self, owner, entries):
        positions = [e[0] for e in entries]
        if len(set(positions)) != len(positions):
            sys.exit("%s: %s has two entries at one position" %
                     (self.version, owner))
        root = []
        stack = [root]  # stack[i]: children list of indent level i
        last = None
        for _, indent, tag_text, reqd in entries:
            if indent == len(stack):
                # Deeper than the previous entry: that entry opens a group.
                if last is None or last.kind != "field":
                    sys.exit("%s: %s: indented entry %s follows no field" %
                             (self.version, owner, tag_text))
                last.kind = "group"
                stack.append(last.children)
            elif indent > len(stack):
                sys.exit("%s: %s: indent jumps at %s" %
                         (self.version, owner, tag_text))
            else:
                del stack[indent + 1:]
            if tag_text.isdigit():
                tag = int(tag_text)
                if tag not in self.fields:
                    sys.exit("%s: %s uses undefined tag %d" %
                             (self.version, owner, tag))
                required = REQUIRED_OVERRIDES.get(
                    (self.version, owner, tag), reqd)
                last = Node("field", self.fields[tag].name, required, tag)
            else:
                if tag_text not in self.components:
                    sys.exit("%s: %s uses unknown component %s" %
                             (self.version, owner, tag_text))
                last = Node("component", tag_text, reqd)
            stack[-1].append(last)
        self.check_groups(owner, root)
        return root

    def check_groups(self, owner, nodes):
        for node in nodes:
            if node.kind == "group":
                field = self.fields[node.tag]
                # FIX 4.2 has no NumInGroup datatype (and News counts its
                # lines with LinesOfText 33): a counter is an int there.
                if field.repo_type not in ("NumInGroup", "int"):
                    sys.exit("%s: %s: group counter %s is not a NumInGroup" %
                             (self.version, owner, field.name))
                self.check_groups(owner, node.children)

    def expanded(self, nodes):
        """`nodes` with component references replaced by their contents."""
        out = []
        for node in nodes:
            if node.kind == "component":
                out.extend(self.expanded(self.contents[node.name]))
            else:
                if node.kind == "group":
                    copy = Node("group", node.name, node.required, node.tag)
                    copy.children = self.expanded(node.children)
                    node = copy
                out.append(node)
        return out


# --- QuickFIX 1.15.1 loading semantics ---------------------------------------
# DataDictionary::addXMLComponentFields/addXMLGroup have two behaviours that
# could make a faithful dictionary load wrongly; the generated output is
# checked against both, and generation fails if either would bite.
# 1. A group's delimiter is its first child; for a component it is the
#    component's first direct <field>/<group> (a leading nested component is
#    skipped), which is wrong when a component starts with a component.
# 2. A component nested in a component is loaded with its own required flag,
#    whatever its parent's: the required fields of a required component inside
#    an optional component, or inside a component within a group, would be
#    added to the message's top-level required fields.

def first_field(repo, nodes):
    """The delimiter the specification gives a group with these children."""
    for node in nodes:
        if node.kind == "component":
            found = first_field(repo, repo.contents[node.name])
            if found is not None:
                return found
        else:
            return node.tag
    return None


def quickfix_component_first(repo, name):
    for node in repo.contents[name]:
        if node.kind in ("field", "group"):
            return node.tag
    return 0


def quickfix_delimiter(repo, nodes):
    delim = 0
    for node in nodes:
        field = (quickfix_component_first(repo, node.name)
                 if node.kind == "component" else node.tag)
        if delim == 0:
            delim = field
    return delim


def spec_required(repo, nodes, required, component_required=True):
    """Tags the specification makes required at message top level: required
    entries outside groups, through components that are required all the
    way down."""
    for node in nodes:
        if node.kind == "component":
            if node.name not in (HEADER, TRAILER):
                spec_required(repo, repo.contents[node.name], required,
                              component_required and node.required)
        elif node.required and component_required:
            required.add(node.tag)
    return required


def quickfix_required(repo, message_nodes):
    """Tags QuickFIX 1.15.1 makes required at message top level when loading
    a message (readFromDocument, addXMLComponentFields, addXMLGroup)."""
    required = set()

    def component(name, component_required):
        for node in repo.contents[name]:
            if node.kind in ("field", "group"):
                if node.required and component_required:
                    required.add(node.tag)  # always the message's list
                if node.kind == "group":
                    group(node)
            else:
                # A nested component keeps its own flag, whatever its
                # parent's.
                component(node.name, node.required)

    def group(node):
        for child in node.children:
            if child.kind == "component":
                component(child.name, False)
            elif child.kind == "group":
                group(child)

    for node in message_nodes:
        if node.kind == "component":
            if node.name not in (HEADER, TRAILER):
                component(node.name, node.required)
        else:
            if node.required:
                required.add(node.tag)
            if node.kind == "group":
                group(node)
    return required


def check_quickfix_semantics(repo):
    def walk_groups(owner, nodes):
        for node in nodes:
            if node.kind == "group":
                spec = first_field(repo, node.children)
                qf = quickfix_delimiter(repo, node.children)
                if spec != qf:
                    sys.exit("%s: %s: group %s delimiter %s, QuickFIX would "
                             "use %s" % (repo.version, owner, node.name, spec,
                                         qf))
                walk_groups(owner, node.children)

    for name, nodes in repo.contents.items():
        walk_groups(name, nodes)

    for _, _, name, _ in repo.messages:
        spec = spec_required(repo, repo.contents[name], set())
        qf = quickfix_required(repo, repo.contents[name])
        if spec != qf:
            sys.exit("%s: %s: QuickFIX would require %s, the spec %s" %
                     (repo.version, name, sorted(qf - spec),
                      sorted(spec - qf)))


# --- Output ------------------------------------------------------------------

def attr(value):
    return (value.replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;").replace('"', "&quot;"))


def yn(flag):
    return "Y" if flag else "N"


def write_nodes(out, nodes, indent):
    pad = "  " * indent
    for node in nodes:
        if node.kind == "group":
            out.append('%s<group name="%s" required="%s">' %
                       (pad, node.name, yn(node.required)))
            write_nodes(out, node.children, indent + 1)
            out.append("%s</group>" % pad)
        else:
            out.append('%s<%s name="%s" required="%s"/>' %
                       (pad, node.kind, node.name, yn(node.required)))


def generate(repo):
    major, minor = repo.version.split(".")[1:3]
    short = major + minor
    open_fields = sorted(f.tag for f in repo.fields.values() if f.open)
    overrides = sorted((owner, tag) for (v, owner, tag) in REQUIRED_OVERRIDES
                       if v == repo.version)
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<!--"]
    out += [
        "  FIX %s.%s data dictionary for QuickFIX (DataDictionary XML format)."
        % (major, minor),
        "",
        "  GENERATED FILE, do not edit: fix fixspec/gen_dictionary.py instead.",
        "  Generated by fixspec/gen_dictionary.py from the FIX Trading",
        "  Community's FIX Repository, %s/Base (edition %s," %
        (repo.version, repo.edition),
        "  generated %s), as shipped in the npm package" % repo.generated,
        "  jspurefix@5.11.4 (data/fix_repo.zip).",
        "  Regenerate with:",
        "    python3 fixspec/gen_dictionary.py \\",
        "      node_modules/jspurefix/data/fix_repo.zip %s.%s \\" % (major, minor),
        "      -o fixspec/FIX%s.xml" % short,
        "",
        "  Complete: %d messages, %d components, %d fields with every"
        % (len(repo.messages),
           len([c for c in repo.components if c not in (HEADER, TRAILER)]),
           len(repo.fields)),
        "  enumeration value of the version. Required flags are the",
        "  repository's (QuickFIX enforces a component's required fields only",
        "  where the message requires the component, and group members only",
        "  when the group is required). Messages are named by the",
        "  SymbolicName of their MsgType (35) value; enumeration descriptions",
        "  are the values' SymbolicNames in UPPER_SNAKE_CASE.",
    ]
    if overrides:
        out.append("  Required although the repository says optional: %s." %
                   ", ".join("%s/%s" % (o, repo.fields[t].name)
                             for o, t in overrides))
    additions = sorted((t, v) for (ver, t), vs in ENUM_ADDITIONS.items()
                       if ver == repo.version for v, _ in vs)
    if additions:
        out.append("  Enumeration values the repository omits for this version:")
        out.append("  %s." % ", ".join("%s (%d) %s" % (repo.fields[t].name, t, v)
                                      for t, v in additions))
    if open_fields:
        out.append("  Written without enumeration because the listed values "
                   "do not")
        out.append("  close the value set: %s." %
                   ", ".join("%s (%d)" % (repo.fields[t].name, t)
                             for t in open_fields))
    out.append("-->")
    out.append('<fix type="FIX" major="%s" minor="%s" servicepack="0">' %
               (major, minor))

    out.append("  <header>")
    write_nodes(out, repo.expanded(repo.contents[HEADER]), 2)
    out.append("  </header>")
    out.append("  <trailer>")
    write_nodes(out, repo.expanded(repo.contents[TRAILER]), 2)
    out.append("  </trailer>")

    out.append("  <messages>")
    for _, msgtype, name, category in repo.messages:
        out.append('    <message name="%s" msgtype="%s" msgcat="%s">' %
                   (repo.message_names.get(msgtype, name), attr(msgtype),
                    "admin" if category == "Session" else "app"))
        body = [n for n in repo.contents[name]
                if not (n.kind == "component" and n.name in (HEADER, TRAILER))]
        write_nodes(out, body, 3)
        out.append("    </message>")
    out.append("  </messages>")

    out.append("  <components>")
    for name in sorted(repo.components):
        if name in (HEADER, TRAILER):
            continue
        out.append('    <component name="%s">' % name)
        write_nodes(out, repo.contents[name], 3)
        out.append("    </component>")
    out.append("  </components>")

    out.append("  <fields>")
    for tag in sorted(repo.fields):
        field = repo.fields[tag]
        head = '    <field number="%d" name="%s" type="%s"' % (
            tag, field.name, DATATYPES[field.repo_type])
        if field.values and not field.open:
            out.append(head + ">")
            for value, description in field.values:
                out.append('      <value enum="%s" description="%s"/>' %
                           (attr(value), attr(description)))
            out.append("    </field>")
        else:
            out.append(head + "/>")
    out.append("  </fields>")
    out.append("</fix>")
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", help="fix_repo.zip or an unzipped copy")
    parser.add_argument("version", help="4.2 or 4.4 (also FIX.4.4, FIX44)")
    parser.add_argument("-o", "--output", help="output file (default stdout)")
    args = parser.parse_args()

    digits = re.sub(r"[^0-9]", "", args.version)
    if len(digits) != 2:
        sys.exit("version must look like 4.4")
    version = "FIX.%s.%s" % (digits[0], digits[1])
    repo = Repository(Source(args.source, version))
    check_quickfix_semantics(repo)
    xml = generate(repo)
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="\n") as f:
            f.write(xml)
    else:
        sys.stdout.write(xml)


if __name__ == "__main__":
    main()
