using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace PgBorrow.Analyzers.Rules;

/// <summary>
/// PGB005: a synchronous Npgsql call that does I/O (or a sync <c>using</c> of a transaction,
/// connection or reader, whose Dispose can do I/O) inside an async method or lambda, where an async
/// overload exists.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class BlockingCallInAsyncAnalyzer : DiagnosticAnalyzer
{
    public static readonly DiagnosticDescriptor Descriptor = new(
        id: RuleIdentifiers.BlockingCallInAsync,
        title: "Blocking Npgsql call in async code",
        messageFormat: "{0} blocks a thread in async code: {1}",
        category: RuleCategories.Async,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A synchronous call that waits for PostgreSQL blocks a thread-pool thread for a whole network round trip. Under load this starves the pool. Call the async overload and await it, passing the CancellationToken in scope.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.BlockingCallInAsync));

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Descriptor);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
    }
}
