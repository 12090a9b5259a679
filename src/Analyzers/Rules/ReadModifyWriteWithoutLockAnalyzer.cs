using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Analyzers.Ownership;

namespace PgBorrow.Analyzers.Rules;

/// <summary>
/// PGB107 (info): in a read-committed transaction, a row of a table is read without FOR UPDATE/SHARE
/// and the table is then updated in the same transaction: the lost-update pattern.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ReadModifyWriteWithoutLockAnalyzer : OwnershipRuleAnalyzer
{
    public static readonly DiagnosticDescriptor Descriptor = new(
        id: RuleIdentifiers.ReadModifyWriteWithoutLock,
        title: "Read-modify-write without a row lock",
        messageFormat: "Transaction '{0}' reads {1} without a row lock (line {2}) and then updates it: a concurrent transaction can change the row in between, and this update overwrites that change; lock it with FOR UPDATE, update atomically (SET x = x - $1) or use SERIALIZABLE",
        category: RuleCategories.Concurrency,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "Under READ COMMITTED each statement sees the rows committed before it began. A value read by a SELECT and written back by a later UPDATE can silently overwrite a change another transaction committed in between (a lost update). A row lock taken by the SELECT, an UPDATE that computes the new value on the server, or SERIALIZABLE isolation prevents it.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.ReadModifyWriteWithoutLock));

    private protected override DiagnosticDescriptor Rule => Descriptor;

    private protected override void Report(OwnershipReport report, OperationBlockAnalysisContext context)
    {
        foreach (var write in report.ReadModifyWrites)
            context.ReportDiagnostic(Diagnostic.Create(Descriptor, write.Location, write.Transaction.Name, write.Table, write.ReadLine));
    }
}
