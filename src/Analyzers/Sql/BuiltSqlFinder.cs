using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using PgBorrow.Analyzers.Infrastructure;
using PgBorrow.Analyzers.Ownership;

namespace PgBorrow.Analyzers.Sql;

/// <summary>SQL text arriving at a sink, and the non-constant pieces it was built from here.</summary>
internal readonly record struct BuiltSql(IOperation Text, string Sink, List<SqlPiece> Pieces, bool ConvertedToPgSql);

/// <summary>
/// Finds the SQL text at every sink (<see cref="SqlSinks"/>) and reads how it was built
/// (<see cref="SqlTextBuilding"/>), for the rules about SQL text (PGB201, PGB203). One per
/// compilation; the building of a body is made once, on first need.
/// </summary>
internal sealed class BuiltSqlFinder
{
    readonly SqlSinks _sinks;
    readonly SqlQuoting _quoting = new();
    readonly CompilationCalls _calls;
    readonly SqlMemberText _members;

    public BuiltSqlFinder(Compilation compilation, NpgsqlSymbols symbols)
    {
        _sinks = new SqlSinks(compilation, symbols);
        _calls = new CompilationCalls(compilation);
        _members = new SqlMemberText(_quoting, _calls);
    }

    /// <summary>Registers <paramref name="onSink"/> for every sink receiving non-constant text.</summary>
    public static void Register(CompilationStartAnalysisContext start, System.Action<OperationAnalysisContext, BuiltSql> onSink)
    {
        if (NpgsqlSymbols.TryCreate(start.Compilation, start.Options) is not NpgsqlSymbols symbols)
            return;
        var finder = new BuiltSqlFinder(start.Compilation, symbols);
        start.RegisterOperationBlockStartAction(block =>
        {
            var building = new BodyTextBuilding(finder._quoting, finder._calls, finder._members);
            block.RegisterOperationAction(
                c =>
                {
                    if (finder.Find(c, building) is BuiltSql found)
                        onSink(c, found);
                },
                OperationKind.ObjectCreation, OperationKind.SimpleAssignment, OperationKind.Invocation);
        });
    }

    BuiltSql? Find(OperationAnalysisContext context, BodyTextBuilding building)
    {
        if (SqlSinks.StringConvertedToPgSql(context.Operation) is (IOperation text, string querySink))
        {
            return text.ConstantValue.HasValue
                ? null
                : new BuiltSql(text, querySink, building.For(context.Operation).Pieces(text), ConvertedToPgSql: true);
        }

        var found = _sinks.SqlOf(context.Operation, System.Array.Empty<string>());
        if (found is null && context.Operation is IInvocationOperation)
        {
            // A team's own helpers that take SQL text, named in .editorconfig.
            if (RuleOptions.Get(context.Options, context.Operation.Syntax.SyntaxTree, SqlSinks.AdditionalSinksOption) is string value)
                found = _sinks.SqlOf(context.Operation, MemberList.Parse(value));
        }
        if (found is not (IOperation sql, string sink) || sql.ConstantValue.HasValue)
            return null;
        var pieces = building.For(context.Operation).Pieces(sql);
        return pieces.Count == 0 ? null : new BuiltSql(sql, sink, pieces, ConvertedToPgSql: false);
    }

    /// <summary>The <see cref="SqlTextBuilding"/> of the body being analyzed, made on first need.</summary>
    sealed class BodyTextBuilding
    {
        readonly object _gate = new();
        readonly SqlQuoting _quoting;
        readonly CompilationCalls _calls;
        readonly SqlMemberText _members;
        IOperation? _root;
        SqlTextBuilding? _building;

        public BodyTextBuilding(SqlQuoting quoting, CompilationCalls calls, SqlMemberText members)
        {
            _quoting = quoting;
            _calls = calls;
            _members = members;
        }

        public SqlTextBuilding For(IOperation operation)
        {
            var root = operation;
            while (root.Parent is not null)
                root = root.Parent;
            lock (_gate)
            {
                if (_building is null || _root != root)
                {
                    _root = root;
                    _building = new SqlTextBuilding(root, _quoting, _calls, _members, memberDepth: 0);
                }
                return _building;
            }
        }
    }
}
