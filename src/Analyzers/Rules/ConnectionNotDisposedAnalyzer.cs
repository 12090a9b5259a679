using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Analyzers.Infrastructure;
using PgBorrow.Analyzers.Ownership;

namespace PgBorrow.Analyzers.Rules;

/// <summary>
/// PGB006: a connection created or opened here is not disposed or closed on some normal path and not
/// moved. Exception paths count only when <c>dotnet_code_quality.PGB006.exception_paths = true</c>.
/// A connection the method borrows but opens itself, and closes on some path, must be closed on every
/// normal path (the engine's <see cref="TrackedResource.OpenedHere"/>).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ConnectionNotDisposedAnalyzer : OwnershipRuleAnalyzer
{
    public const string ExceptionPathsOption = "dotnet_code_quality.PGB006.exception_paths";

    /// <summary>Diagnostic property: the connection is the caller's, opened here; it needs a Close, not a using.</summary>
    public const string OpenedHereProperty = "OpenedHere";

    /// <summary>Diagnostic property: the connection has only DisposeAsync, so synchronous code cannot declare it with 'using'.</summary>
    public const string OnlyAsyncDisposableProperty = "OnlyAsyncDisposable";

    public static readonly DiagnosticDescriptor Descriptor = new(
        id: RuleIdentifiers.ConnectionNotDisposed,
        title: "Connection not disposed",
        messageFormat: "Connection '{0}' is not {1}: {2}; {3}",
        category: RuleCategories.Ownership,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Each open connection holds a PostgreSQL backend process and a pool slot. A connection that is not disposed waits for the garbage collector, and under load the pool runs dry ('The connection pool has been exhausted'). Declare it with 'using' or 'await using'.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.ConnectionNotDisposed));

    private protected override DiagnosticDescriptor Rule => Descriptor;

    private protected override void Report(OwnershipReport report, OperationBlockAnalysisContext context)
    {
        foreach (var open in report.OpenAtExit)
        {
            if (open.Resource.Kind != ResourceKind.Connection)
                continue;
            if (open.Resource.OpenedHere)
            {
                context.ReportDiagnostic(Diagnostic.Create(Descriptor, open.Resource.Location, s_openedHere, open.Resource.Name,
                    $"closed when the method returns on line {open.ExitLine}, though this method opened it and closes it on other paths", Consequence(open.Resource, context), CloseInFinally));
            }
            else
            {
                context.ReportDiagnostic(Diagnostic.Create(Descriptor, open.Resource.Location, PropertiesOf(open.Resource), open.Resource.Name, $"disposed when the method returns on line {open.ExitLine}", Consequence(open.Resource, context), DisposeOnEveryPath(open.Resource)));
            }
        }

        if (!ExceptionPathsEnabled(context))
            return;

        // One diagnostic per connection, at its first uncovered throwing point.
        var reported = new System.Collections.Generic.HashSet<TrackedResource>();
        foreach (var open in report.OpenOnException)
        {
            if (open.Resource.Kind == ResourceKind.Connection
                && !report.OpenAtExit.Exists(o => o.Resource == open.Resource)
                && reported.Add(open.Resource))
            {
                context.ReportDiagnostic(Diagnostic.Create(Descriptor, open.Resource.Location, PropertiesOf(open.Resource), open.Resource.Name, $"{(open.Resource.OpenedHere ? "closed" : "disposed")} when '{open.ThrowingOperation}' throws on line {open.Line}",
                    Consequence(open.Resource, context), open.Resource.OpenedHere ? CloseInFinally : DisposeOnEveryPath(open.Resource)));
            }
        }
    }

    const string CloseInFinally = "close it in a 'finally'";

    static string DisposeOnEveryPath(TrackedResource connection)
        => $"declare it with {UsingAdvice.For(connection.Location, connection.DeclaredType)}, or dispose it on every path";

    /// <summary>What the leak costs: a pool slot, or for a replication connection its own server connection.</summary>
    static string Consequence(TrackedResource connection, OperationBlockAnalysisContext context)
        => NpgsqlSymbols.TryCreate(context.Compilation, context.Options)?.IsReplicationConnection(connection.DeclaredType) == true
            ? "its server connection (a walsender, outside any pool) stays open until the garbage collector finalizes it"
            : "it is never returned to the pool";

    static System.Collections.Immutable.ImmutableDictionary<string, string?>? PropertiesOf(TrackedResource connection)
        => UsingAdvice.IsOnlyAsyncDisposable(connection.DeclaredType) ? s_onlyAsyncDisposable : null;

    static readonly System.Collections.Immutable.ImmutableDictionary<string, string?> s_onlyAsyncDisposable =
        System.Collections.Immutable.ImmutableDictionary<string, string?>.Empty.Add(OnlyAsyncDisposableProperty, "true");

    static readonly System.Collections.Immutable.ImmutableDictionary<string, string?> s_openedHere =
        System.Collections.Immutable.ImmutableDictionary<string, string?>.Empty.Add(OpenedHereProperty, "true");

    static bool ExceptionPathsEnabled(OperationBlockAnalysisContext context)
        => bool.TryParse(RuleOptions.Get(context, ExceptionPathsOption), out var enabled) && enabled;
}
