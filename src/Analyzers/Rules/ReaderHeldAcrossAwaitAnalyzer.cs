using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Analyzers.Infrastructure;
using PgBorrow.Analyzers.Ownership;

namespace PgBorrow.Analyzers.Rules;

/// <summary>
/// PGB110: a data reader, or an <c>await foreach</c> over a database query stream, stays open across
/// an await of something that is not database work (an HTTP call per row): the statement's snapshot
/// and its connection are held for the whole read, in a transaction or not.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ReaderHeldAcrossAwaitAnalyzer : OwnershipRuleAnalyzer
{
    public static readonly DiagnosticDescriptor Descriptor = new(
        id: RuleIdentifiers.ReaderHeldAcrossAwait,
        title: "Open reader held across an unrelated await",
        messageFormat: "{0} stays open while awaiting '{1}', which is not database work: the statement keeps its snapshot, which holds back VACUUM, and its connection for the whole read; buffer the rows first (QueryAsync, a List) or page with keyset pagination",
        category: RuleCategories.Concurrency,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A statement whose rows are still being read keeps its snapshot, so the xmin horizon cannot advance and VACUUM cannot remove row versions that died after it started, and keeps its connection busy. Awaiting an HTTP call or another service per row stretches that to the time of every call. Read the rows into a list first and make the calls after the reader is closed, or read a page at a time (keyset pagination: WHERE id > @last ORDER BY id LIMIT n).",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.ReaderHeldAcrossAwait));

    private protected override DiagnosticDescriptor Rule => Descriptor;

    private protected override void Report(OwnershipReport report, OperationBlockAnalysisContext context)
    {
        if (report.ReadersAcrossAwaits.Count == 0)
            return;
        var allowed = AwaitRuleOptions.DatabaseAwaits(context);
        foreach (var wait in report.ReadersAcrossAwaits)
        {
            if (MemberList.Matches(wait.AwaitedMember, allowed))
                continue;
            context.ReportDiagnostic(Diagnostic.Create(Descriptor, wait.AwaitLocation, wait.Reader, wait.AwaitedDisplay));
        }
    }
}
