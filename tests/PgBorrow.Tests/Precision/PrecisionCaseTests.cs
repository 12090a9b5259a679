using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using PgBorrow.Tests.Infrastructure;
using Xunit;

namespace PgBorrow.Tests.Precision;

/// <summary>
/// Shapes from real production code where a rule once fired on correct code (Precision/Cases, with
/// a README saying why each is right). With every rule at its default severity, none may report a
/// warning; information-level findings (opt-in strictness) are allowed. Each case must also compile,
/// so that the silence is not the silence of an unresolved type.
/// </summary>
public class PrecisionCaseTests
{
    /// <summary>Every case of Cases/ (README.md there says why each is right).</summary>
    public static TheoryData<string> Cases => new()
    {
        "SyncBeginTransactionIsNotIo.cs",
        "SyncUsingOfCompletedResources.cs",
        "IdentifierFromConfiguration.cs",
        "IdentifierQuotedByOwnHelper.cs",
        "EnvironmentNewLineIsConstant.cs",
        "FreshConnectionPerParallelIteration.cs",
        "ConnectionFromProjectFactoryCoversTransaction.cs",
        "MovedIntoFieldThroughIdentityHelper.cs",
        "HelperReturnsHoldingLock.cs",
        "LockHandedToField.cs",
        "ConnectionHandedToBackgroundTask.cs",
        // Found by the real-code runner (docs/benchmarks.md, "Real code"): efcore.pg, npgsql, Dotmim.Sync.
        "AsyncFlagSyncBranch.cs",
        "AwaitedOverloadWithAsyncFlag.cs",
        "ConstantListFromPrivateHelper.cs",
        "DollarQuotedBodyIdentifiers.cs",
        "ComputedWhereFragment.cs",
        "QuotedIdentifierInChainedAppend.cs",
        "DropTableIfExistsIdentifier.cs",
        "CallerConnectionOpenedAndClosed.cs",
        "TransactionCastInSetter.cs",
        "ColonNamedPlaceholder.cs",
        // Found on the wider corpus (28 more repositories): Npgmq, kernel-memory, Dapper, Dapper.Contrib,
        // PetaPoco, Chloe, Insight.Database, EFCore.BulkExtensions.
        "ReaderInsideConfiguredAwaitUsing.cs",
        "AsyncCastFallback.cs",
        "NegatedAsyncFlagEarlyReturn.cs",
        "IteratorHelperCalledInAsync.cs",
        "TaskStartNewReturned.cs",
        "CorrelatedFlagBorrowedOrBegun.cs",
        "PlaceholderListParameterInValues.cs",
        "PlaceholderListJoinedInValues.cs",
        "ParamPrefixPlaceholder.cs",
        "IndexOnIdentifier.cs",
        "WhereFragmentFromInternalCaller.cs",
        // Found when PGB201/PGB203 began following text assembled in another member: Dommel, serilog sinks, yessql.
        "PlaceholderFromDialectMethod.cs",
        "PrefixedNamesSelectedIntoValues.cs",
        "ColumnFromDialectInJoinCondition.cs",
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task No_warning_on_correct_production_shape(string file)
    {
        var path = Path.Combine(TestReferences.RepositoryRoot, "tests", "PgBorrow.Tests", "Precision", "Cases", file);
        var tree = CSharpSyntaxTree.ParseText(File.ReadAllText(path), path: path);
        var result = await AnalyzeAll.RunAsync(tree);

        var errors = result.Compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        Assert.True(errors.Length == 0, "The case does not compile:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(d => d.ToString())));
        Assert.True(result.Exceptions.IsEmpty, string.Join(Environment.NewLine, result.Exceptions));
        var warnings = result.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray();
        Assert.True(warnings.Length == 0, "Warnings on correct code:" + Environment.NewLine + string.Join(Environment.NewLine, warnings.Select(d => d.ToString())));
    }
}
