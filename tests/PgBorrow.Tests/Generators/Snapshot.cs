using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;
using PgBorrow.Tests.Infrastructure;
using Xunit.Sdk;

namespace PgBorrow.Tests.Generators;

/// <summary>
/// Checked-in snapshots of generated code: <c>Generators/Snapshots/&lt;name&gt;/&lt;hint&gt;.verified.cs</c>.
/// A difference (or a missing file) writes <c>&lt;hint&gt;.received.cs</c> beside it and fails with a
/// line diff. <c>ACCEPT_SNAPSHOTS=1</c> writes the new output as the verified file instead.
/// Files are found through the RepositoryRoot assembly metadata, never [CallerFilePath].
/// </summary>
internal static class Snapshot
{
    private const string AcceptVariable = "ACCEPT_SNAPSHOTS";

    public static string Folder(string name)
        => Path.Combine(TestReferences.RepositoryRoot, "tests", "PgBorrow.Tests", "Generators", "Snapshots", name);

    /// <summary>Compares every generated file with its snapshot, and fails on snapshots no file matches.</summary>
    public static void Match(string name, IEnumerable<(string HintName, string Text)> files)
    {
        var folder = Folder(name);
        var accept = Environment.GetEnvironmentVariable(AcceptVariable) == "1";
        var failures = new StringBuilder();
        var expected = new HashSet<string>(StringComparer.Ordinal);

        foreach (var (hintName, text) in files)
        {
            var baseName = Path.GetFileNameWithoutExtension(hintName); // Shop.Order.PgRow.g
            var verifiedPath = Path.Combine(folder, baseName + ".verified.cs");
            var receivedPath = Path.Combine(folder, baseName + ".received.cs");
            expected.Add(Path.GetFileName(verifiedPath));
            var actual = Normalize(text);
            var verified = File.Exists(verifiedPath) ? Normalize(File.ReadAllText(verifiedPath)) : null;

            if (verified == actual)
            {
                File.Delete(receivedPath);
                continue;
            }

            Directory.CreateDirectory(folder);
            if (accept)
            {
                File.WriteAllText(verifiedPath, actual);
                File.Delete(receivedPath);
                continue;
            }

            File.WriteAllText(receivedPath, actual);
            failures.AppendLine(verified is null
                ? $"No snapshot {verifiedPath}; the output is in {receivedPath}."
                : $"{verifiedPath} differs from the output (written to {receivedPath}):\n{Diff(verified, actual)}");
        }

        if (Directory.Exists(folder))
        {
            foreach (var stale in Directory.GetFiles(folder, "*.verified.cs").Select(Path.GetFileName).Where(f => !expected.Contains(f!)))
            {
                if (accept)
                    File.Delete(Path.Combine(folder, stale!));
                else
                    failures.AppendLine($"Snapshot {stale} in {folder} matches no generated file (delete it, or run with {AcceptVariable}=1).");
            }
        }

        if (failures.Length > 0)
            throw new XunitException(failures + $"Run with {AcceptVariable}=1 to accept the new output.");
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n");

    private static string Diff(string verified, string actual)
    {
        var diff = InlineDiffBuilder.Diff(verified, actual, ignoreWhiteSpace: false);
        var lines = new StringBuilder();
        var number = 0;
        foreach (var line in diff.Lines)
        {
            if (line.Type != ChangeType.Inserted)
                number++;
            var marker = line.Type switch
            {
                ChangeType.Inserted => "+ ",
                ChangeType.Deleted => "- ",
                ChangeType.Modified => "~ ",
                _ => null,
            };
            if (marker is not null)
                lines.Append($"{number,5} {marker}").AppendLine(line.Text);
        }
        return lines.ToString();
    }
}
