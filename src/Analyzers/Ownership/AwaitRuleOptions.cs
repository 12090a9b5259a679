using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Analyzers.Infrastructure;

namespace PgBorrow.Analyzers.Ownership;

/// <summary>
/// The awaits a team declares to be database work (PGB101, PGB102, PGB110), from .editorconfig:
/// <c>dotnet_code_quality.PGB101.database_awaits = MyCompany.Outbox.*, AuditLog.WriteAsync</c>
/// (entries as <see cref="MemberList"/> reads them). Every one of these rules reads every key.
/// </summary>
internal static class AwaitRuleOptions
{
    public const string DatabaseAwaitsOption = "dotnet_code_quality.PGB101.database_awaits";
    public const string DatabaseAwaitsOptionForPgb102 = "dotnet_code_quality.PGB102.database_awaits";
    public const string DatabaseAwaitsOptionForPgb110 = "dotnet_code_quality.PGB110.database_awaits";

    public static IReadOnlyList<string> DatabaseAwaits(OperationBlockAnalysisContext context)
        => MemberList.Parse(RuleOptions.Get(context, DatabaseAwaitsOption))
            .Concat(MemberList.Parse(RuleOptions.Get(context, DatabaseAwaitsOptionForPgb102)))
            .Concat(MemberList.Parse(RuleOptions.Get(context, DatabaseAwaitsOptionForPgb110)))
            .ToList();
}
