using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Analyzers.Infrastructure;
using PgBorrow.Analyzers.Ownership;

namespace PgBorrow.Analyzers.Rules;

/// <summary>
/// PGB007: a reader (or a binary COPY importer/exporter, or the PgBatchResults of QueryMultipleAsync) is
/// open when another command runs on its connection, or is never disposed.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class DataReaderLeftOpenAnalyzer : OwnershipRuleAnalyzer
{
    public static readonly DiagnosticDescriptor Descriptor = new(
        id: RuleIdentifiers.DataReaderLeftOpen,
        title: "Data reader left open",
        messageFormat: "{0} '{1}' is still open {2}; {3}",
        category: RuleCategories.Ownership,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A PostgreSQL connection runs one command at a time. While a reader is open its connection is busy, and Npgsql throws 'A command is already in progress' for the next command. Dispose the reader (with 'using') before running another command on that connection.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.DataReaderLeftOpen));

    private protected override DiagnosticDescriptor Rule => Descriptor;

    private protected override void Report(OwnershipReport report, OperationBlockAnalysisContext context)
    {
        foreach (var conflict in report.ReadersStillOpen)
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptor, conflict.CommandLocation, Noun(conflict.Reader), conflict.Reader.Name,
                $"when '{conflict.CommandName}' runs another command on connection '{conflict.ConnectionName}' on line {conflict.Line}",
                $"dispose it before that command (declare it with {UsingAdvice.For(conflict.Reader.Location)} in a block that ends there)"));
        }

        foreach (var open in report.OpenAtExit)
        {
            if (open.Resource.Kind == ResourceKind.DataReader)
                context.ReportDiagnostic(Diagnostic.Create(Descriptor, open.Resource.Location, Noun(open.Resource), open.Resource.Name, $"when the method returns on line {open.ExitLine}: it is never disposed",
                    $"declare it with {UsingAdvice.For(open.Resource.Location)}"));
        }
    }

    /// <summary>What the value is, for the message: a data reader, a binary COPY in progress, or a batch's results.</summary>
    static string Noun(TrackedResource resource)
        => resource.DeclaredType?.Name switch
        {
            "NpgsqlBinaryImporter" or "NpgsqlBinaryExporter" => "COPY operation",
            "PgBatchResults" => "PgBatchResults",
            _ => "Data reader",
        };
}
