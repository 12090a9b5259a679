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

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<AnalyzerOptions, PreparedStatements> s_perOptions = new();

    /// <summary>
    /// The files of a build, indexed and read once however many PGB33x analyzers ask (every analyzer of a compilation
    /// is handed the same options).
    /// </summary>
    public static PreparedStatements From(AnalyzerOptions options) => s_perOptions.GetValue(options, Index);

    private static PreparedStatements Index(AnalyzerOptions options)
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

    /// <summary>
    /// How the statement <paramref name="commandText"/> (as sent) stands: its file found and describing it, missing, or
    /// describing something else (another text, or, when <paramref name="placeholderCount"/> is known, another number
    /// of parameters: PostgreSQL describes exactly as many as the highest <c>$n</c>).
    /// </summary>
    public StatementLookup Find(string commandText, int? placeholderCount, CancellationToken cancellationToken)
    {
        var fileName = PreparedStatementName.FolderName + "/" + PreparedStatementName.FileName(commandText);
        if (!TryGet(PreparedStatementName.Hash(commandText), cancellationToken, out var statement))
            return new StatementLookup(PreparedQueryState.Missing, fileName, null);
        return statement is null || statement.Sql != PreparedStatementName.NormaliseSql(commandText)
            || placeholderCount is int count && statement.Parameters.Count != count
            ? new StatementLookup(PreparedQueryState.NotItsStatement, fileName, null)
            : new StatementLookup(PreparedQueryState.Found, fileName, statement);
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

/// <summary>A statement's file in <c>.pgborrow/</c>: its name, and what it says when <see cref="State"/> is Found.</summary>
internal readonly record struct StatementLookup(PreparedQueryState State, string FileName, PreparedStatement? Statement)
{
    /// <summary>PGB331's detail for a statement whose file is missing or is not its description; null when found.</summary>
    public string? NotPreparedDetail(string what) => State switch
    {
        PreparedQueryState.Missing => $"its statement has no file {FileName} (a new or edited {what}); run 'pgborrow prepare' and commit the folder, so the build checks it against the schema",
        PreparedQueryState.NotItsStatement => $"{FileName} is not the description of its statement (edited by hand or damaged); run 'pgborrow prepare' again",
        _ => null,
    };
}
