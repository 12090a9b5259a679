using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace PgBorrow.Analyzers.Offline;

/// <summary>
/// The <c>.pgborrow/*.json</c> files a compilation is given as additional files, by name (the hash), each read
/// once, when a query first asks for it.
/// </summary>
internal sealed class PreparedStatements
{
    private readonly Dictionary<string, AdditionalText> _files;
    private readonly ConcurrentDictionary<string, PreparedStatement?> _read = new(StringComparer.Ordinal);

    private PreparedStatements(Dictionary<string, AdditionalText> files) => _files = files;

    /// <summary>The project keeps prepared statements: at least one file under a <c>.pgborrow</c> folder was given.</summary>
    public bool Any => _files.Count > 0;

    public static PreparedStatements From(AnalyzerOptions options)
    {
        var files = new Dictionary<string, AdditionalText>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in options.AdditionalFiles)
        {
            var path = file.Path.Replace('\\', '/');
            if (!path.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
                || !path.Contains("/" + PreparedStatementName.FolderName + "/"))
            {
                continue;
            }
            files[Path.GetFileNameWithoutExtension(path)] = file;
        }
        return new PreparedStatements(files);
    }

    /// <summary>Whether the file of a statement is there, and what it says (null when it is not a statement file).</summary>
    public bool TryGet(string hash, CancellationToken cancellationToken, out PreparedStatement? statement)
    {
        statement = null;
        if (!_files.TryGetValue(hash, out var file))
            return false;
        statement = _read.GetOrAdd(hash, _ => file.GetText(cancellationToken) is { } text ? PreparedStatement.Parse(text.ToString()) : null);
        return true;
    }
}
