using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Analyzers.Ownership;

namespace PgBorrow.Analyzers.Rules;

/// <summary>
/// PGB009: an owned transaction that work ran in (a statement that writes or whose SQL is not known, or a
/// call it was handed to) is disposed on every normal path and never committed, rolled back or handed on:
/// the work is rolled back silently. Test methods are left alone: rolling back what a test wrote is the
/// usual way to keep tests independent.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class TransactionNeverCommittedAnalyzer : OwnershipRuleAnalyzer
{
    public static readonly DiagnosticDescriptor Descriptor = new(
        id: RuleIdentifiers.TransactionNeverCommitted,
        title: "Transaction is never committed",
        messageFormat: "Transaction '{0}' is never committed: {1} on line {2} runs in it, and disposing it on line {3} rolls that back on every path; commit it, or roll it back explicitly if that is the intent",
        category: RuleCategories.Ownership,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Disposing a transaction that was not committed rolls it back. When no path of the method commits it, every write made in it is lost without an error: the code looks like it saves and saves nothing. Commit the transaction after the work, or call Rollback explicitly where discarding the work is the point.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.TransactionNeverCommitted));

    private protected override DiagnosticDescriptor Rule => Descriptor;

    private protected override void Report(OwnershipReport report, OperationBlockAnalysisContext context)
    {
        if (report.NeverCommitted.Count == 0 || IsTestCode(context.OwningSymbol))
            return;
        foreach (var found in report.NeverCommitted)
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptor, found.Transaction.Location,
                found.Transaction.Name, found.Work, found.WorkLine, found.DisposeLine));
        }
    }

    /// <summary>A test method (xUnit, NUnit, MSTest), or a member of a class that has one.</summary>
    static bool IsTestCode(ISymbol owner)
    {
        if (HasTestAttribute(owner))
            return true;
        var type = owner.ContainingType;
        if (type is null)
            return false;
        foreach (var member in type.GetMembers())
        {
            if (member is IMethodSymbol && HasTestAttribute(member))
                return true;
        }
        return false;
    }

    static bool HasTestAttribute(ISymbol symbol)
    {
        foreach (var attribute in symbol.GetAttributes())
        {
            if (attribute.AttributeClass?.Name is "FactAttribute" or "TheoryAttribute" or "TestAttribute" or "TestCaseAttribute"
                or "TestCaseSourceAttribute" or "TestMethodAttribute" or "DataTestMethodAttribute" or "SetUpAttribute" or "TearDownAttribute")
                return true;
        }
        return false;
    }
}
