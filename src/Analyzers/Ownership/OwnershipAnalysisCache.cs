using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace PgBorrow.Analyzers.Ownership;

internal sealed class OwnershipAnalysisCache
{
    public static OwnershipAnalysisCache? For(Compilation compilation) => null;

    public OwnershipReport Analyze(OperationBlockAnalysisContext context) => OwnershipReport.Empty;
}
