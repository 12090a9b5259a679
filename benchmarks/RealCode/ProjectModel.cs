using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace PgBorrow.RealCode;

/// <summary>
/// What the runner takes from a .csproj without MSBuild: the .cs files under its directory (minus bin/obj
/// and nested projects), simple linked <c>Compile Include</c> globs, DefineConstants, ImplicitUsings and
/// <c>Using</c> items (also from Directory.Build.props above it), and its ProjectReferences.
/// </summary>
sealed class ProjectModel
{
    public required string CsprojPath { get; init; }
    public required string Directory { get; init; }
    public required string Name { get; init; }
    public required IReadOnlyList<string> SourceFiles { get; init; }
    public required IReadOnlyList<string> Defines { get; init; }
    public required IReadOnlyList<string> GlobalUsings { get; init; }
    public required IReadOnlyList<string> ProjectReferences { get; init; }
    public required bool IsTest { get; init; }

    static readonly string[] ImplicitUsings =
        ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];

    static readonly Regex TestName = new(@"(^|[.\-_])(Unit|Integration|Acceptance|Performance|Perf)?Tests?([.\-_]|$)|TestHelpers|Benchmarks?", RegexOptions.IgnoreCase);

    public static ProjectModel Load(string csproj)
    {
        csproj = Path.GetFullPath(csproj);
        var dir = Path.GetDirectoryName(csproj)!;
        var xml = TryLoad(csproj);
        var props = PropsChain(dir).Select(TryLoad).Where(x => x is not null).Select(x => x!).ToList();
        var all = new List<XDocument>(props);
        if (xml is not null) all.Add(xml);

        var files = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var f in EnumerateSources(dir, isRoot: true)) files.Add(f);
        var removed = new HashSet<string>(StringComparer.Ordinal);
        if (xml is not null)
        {
            foreach (var c in Elements(xml, "Compile"))
            {
                var include = (string?)c.Attribute("Include");
                if (include is not null) foreach (var f in Glob(dir, include)) files.Add(f);
                var remove = (string?)c.Attribute("Remove");
                if (remove is not null) foreach (var f in Glob(dir, remove)) removed.Add(f);
            }
        }
        files.ExceptWith(removed);

        var defines = new List<string>();
        foreach (var d in all.SelectMany(x => Elements(x, "DefineConstants")))
            defines.AddRange(d.Value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(s => !s.Contains('$') && Regex.IsMatch(s, @"^\w+$")));

        var usings = new List<string>();
        var implicitOn = all.SelectMany(x => Elements(x, "ImplicitUsings"))
            .Select(e => e.Value.Trim().ToLowerInvariant()).LastOrDefault() is "enable" or "true";
        if (implicitOn) usings.AddRange(ImplicitUsings);
        foreach (var u in all.SelectMany(x => Elements(x, "Using")))
        {
            var inc = (string?)u.Attribute("Include");
            if (inc is not null && u.Attribute("Alias") is null && u.Attribute("Static") is null && !inc.Contains('$')) usings.Add(inc);
        }

        var refs = new List<string>();
        if (xml is not null)
        {
            foreach (var r in Elements(xml, "ProjectReference"))
            {
                var inc = (string?)r.Attribute("Include");
                if (inc is null) continue;
                inc = inc.Replace('\\', '/');
                // $(SourceRoot)/$(RepoRoot)-style prefixes: resolve against the nearest ancestor holding the rest.
                if (inc.StartsWith("$(", StringComparison.Ordinal))
                {
                    var rest = Regex.Replace(inc, @"^\$\([^)]*\)/?", "");
                    var found = Ancestors(dir).Select(a => Path.Combine(a, rest)).FirstOrDefault(File.Exists);
                    if (found is not null) refs.Add(Path.GetFullPath(found));
                    continue;
                }
                var p = Path.GetFullPath(Path.Combine(dir, inc));
                if (File.Exists(p)) refs.Add(p);
            }
        }

        var name = Path.GetFileNameWithoutExtension(csproj);
        var text = xml?.ToString() ?? "";
        var isTest = TestName.IsMatch(name)
            || text.Contains("Microsoft.NET.Test.Sdk", StringComparison.OrdinalIgnoreCase)
            || Regex.IsMatch(text, @"<IsTestProject>\s*true", RegexOptions.IgnoreCase)
            || Regex.IsMatch(text, @"Include=""(xunit|NUnit|MSTest\.TestFramework|xunit\.v3)""", RegexOptions.IgnoreCase);

        return new ProjectModel
        {
            CsprojPath = csproj, Directory = dir, Name = name, SourceFiles = files.ToList(),
            Defines = defines.Distinct().ToList(), GlobalUsings = usings.Distinct().ToList(),
            ProjectReferences = refs.Distinct().ToList(), IsTest = isTest,
        };
    }

    static XDocument? TryLoad(string path)
    {
        try { return XDocument.Load(path); } catch { return null; }
    }

    static IEnumerable<XElement> Elements(XDocument x, string local) => x.Descendants().Where(e => e.Name.LocalName == local);

    static IEnumerable<string> Ancestors(string dir)
    {
        for (var d = new DirectoryInfo(dir); d is not null; d = d.Parent) yield return d.FullName;
    }

    /// <summary>Directory.Build.props files from the outermost to the innermost above (and in) the project directory.</summary>
    static IEnumerable<string> PropsChain(string dir) =>
        Ancestors(dir).Select(a => Path.Combine(a, "Directory.Build.props")).Where(File.Exists).Reverse();

    public static bool IsSkippedDir(string name) =>
        name is "bin" or "obj" or ".git" or "node_modules" || name.StartsWith('.');

    static IEnumerable<string> EnumerateSources(string dir, bool isRoot)
    {
        if (!isRoot && System.IO.Directory.EnumerateFiles(dir, "*.csproj").Any()) yield break;
        foreach (var f in System.IO.Directory.EnumerateFiles(dir, "*.cs")) yield return Path.GetFullPath(f);
        foreach (var sub in System.IO.Directory.EnumerateDirectories(dir))
        {
            if (IsSkippedDir(Path.GetFileName(sub))) continue;
            foreach (var f in EnumerateSources(sub, isRoot: false)) yield return f;
        }
    }

    /// <summary>Simple globs only: a relative path whose file part may hold '*', or a '**' directory part.</summary>
    static IEnumerable<string> Glob(string dir, string pattern)
    {
        foreach (var raw in pattern.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (raw.Contains('$')) continue;
            var p = raw.Replace('\\', '/');
            if (!p.EndsWith(".cs", StringComparison.OrdinalIgnoreCase)) continue;
            var recursive = p.Contains("**");
            var fileMask = Path.GetFileName(p);
            var folder = p[..^fileMask.Length].Replace("**/", "").Replace("**", "").TrimEnd('/');
            var full = Path.GetFullPath(Path.Combine(dir, folder.Length == 0 ? "." : folder));
            if (!System.IO.Directory.Exists(full)) continue;
            var option = recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly;
            foreach (var f in System.IO.Directory.EnumerateFiles(full, fileMask, option))
            {
                var rel = Path.GetRelativePath(full, f).Split('/');
                if (rel.Any(IsSkippedDir)) continue;
                yield return Path.GetFullPath(f);
            }
        }
    }

    /// <summary>Every directory under <paramref name="root"/> that holds a .csproj (skipping bin/obj).</summary>
    public static IEnumerable<string> FindProjects(string root)
    {
        var stack = new Stack<string>();
        stack.Push(Path.GetFullPath(root));
        var found = new List<string>();
        while (stack.Count > 0)
        {
            var d = stack.Pop();
            found.AddRange(System.IO.Directory.EnumerateFiles(d, "*.csproj"));
            foreach (var sub in System.IO.Directory.EnumerateDirectories(d))
                if (!IsSkippedDir(Path.GetFileName(sub))) stack.Push(sub);
        }
        return found.OrderBy(x => x, StringComparer.Ordinal);
    }

    /// <summary>The .csproj of the nearest directory at or above the file (stopping at <paramref name="root"/>).</summary>
    public static string? ProjectOf(string file, string root)
    {
        root = Path.GetFullPath(root);
        for (var d = new DirectoryInfo(Path.GetDirectoryName(Path.GetFullPath(file))!); d is not null && d.FullName.StartsWith(root, StringComparison.Ordinal); d = d.Parent)
        {
            var p = d.EnumerateFiles("*.csproj").OrderBy(f => f.Name, StringComparer.Ordinal).FirstOrDefault();
            if (p is not null) return p.FullName;
        }
        return null;
    }
}
