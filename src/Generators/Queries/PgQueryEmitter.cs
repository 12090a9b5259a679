using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis.CSharp;
using PgBorrow.Generators.Methods;
using PgBorrow.Generators.Model;
using PgBorrow.Generators.Rows;

namespace PgBorrow.Generators.Queries;

/// <summary>
/// Writes a [PgQuery] method's implementation: a static readonly <c>PgQueryStatement</c> field (the method's
/// name, its SQL with <c>$n</c> placeholders and its options, made once) and the partial method's body, one
/// call to the statement's read method for the return shape with the bound parameters in <c>$n</c> order. The
/// runtime makes the command, runs it and reads the result with the [PgRow] reader or <c>GetFieldValue</c>.
/// </summary>
internal static class PgQueryEmitter
{
    private const string Statement = "global::PgBorrow.PgQueryStatement";

    public static string Emit(PgQueryModel model)
    {
        var code = new CodeBuilder();
        PartialMethodParts.OpenFile(code, "PgQuery", model.DisplayName, model.Namespace, model.ContainingTypes);
        WriteStatement(code, model);
        code.Line();
        WriteMethod(code, model);
        return PartialMethodParts.CloseFile(code, model.ContainingTypes);
    }

    private static void WriteStatement(CodeBuilder code, PgQueryModel model)
    {
        code.Line("/// <summary>The statement <c>" + model.Name + "</c> runs: its SQL as sent and its options, made once.</summary>");
        code.Line("private static readonly " + Statement + " " + model.StatementField + " = new " + Statement + "(");
        code.Indent();
        code.Line(Literal(model.DisplayName) + ",");
        code.Line(Literal(model.CommandText) + ",");
        code.Line(Options(model) + ");");
        code.Outdent();
    }

    private static string Options(PgQueryModel model)
    {
        var options = new List<string>();
        if (model.Prepare)
            options.Add("Prepare = true");
        if (model.CommandTimeoutSeconds == -1)
            options.Add("CommandTimeout = global::System.Threading.Timeout.InfiniteTimeSpan");
        else if (model.CommandTimeoutSeconds > 0)
            options.Add("CommandTimeout = global::System.TimeSpan.FromSeconds(" + model.CommandTimeoutSeconds.ToString(CultureInfo.InvariantCulture) + ")");
        return options.Count == 0 ? "default" : "new global::PgBorrow.PgQueryOptions { " + string.Join(", ", options) + " }";
    }

    private static void WriteMethod(CodeBuilder code, PgQueryModel model)
    {
        var modifiers = model.Modifiers.Length == 0 ? "" : model.Modifiers + " ";
        var declared = model.Parameters.Select((p, i) => (i == 0 && model.IsExtension ? "this " : "") + (p.IsParams ? "params " : "") + p.TypeName + " " + p.Name);
        code.Line(modifiers + "partial " + model.ReturnType + " " + model.Name + "(" + string.Join(", ", declared) + ")");

        var target = model.Parameters.First(p => p.Role == PgQueryParameterRole.Target).Name;
        var token = model.Parameters.FirstOrDefault(p => p.Role == PgQueryParameterRole.CancellationToken)?.Name ?? "default";
        var values = model.Parameters.Where(p => p.Role == PgQueryParameterRole.Value).OrderBy(p => p.Position).ToList();
        var parameters = values.Count == 0
            ? "null"
            : "new global::Npgsql.NpgsqlParameter[] { " + string.Join(", ", values.Select(p => Statement + ".Parameter(" + p.Name + ")")) + " }";

        var call = model.StatementField + "." + Read(model.Result, target, parameters, token);
        var result = model.Result;
        if (result.ReturnKind == PgQueryReturnKind.ValueTask)
        {
            var awaited = result.Shape == PgQueryResultShape.None ? "" : "<" + Awaited(model) + ">";
            call = "new global::System.Threading.Tasks.ValueTask" + awaited + "(" + call + ")";
        }

        code.Indent();
        code.Line("=> " + call + ";");
        code.Outdent();
    }

    /// <summary>The statement's read method for the result's shape, with its arguments.</summary>
    private static string Read(PgQueryResult result, string target, string parameters, string token)
    {
        var element = result.ElementType;
        var allowNull = "allowNull: " + (result.AllowsNull ? "true" : "false");
        return (result.Shape, result.IsRow) switch
        {
            (PgQueryResultShape.List, true) => $"ReadRowsAsync<{element}>({target}, {parameters}, {token})",
            (PgQueryResultShape.List, false) => $"ReadValuesAsync<{element}>({target}, {parameters}, {allowNull}, {token})",
            (PgQueryResultShape.Single, true) => $"ReadRowAsync<{element}>({target}, {parameters}, {token})",
            (PgQueryResultShape.Single, false) => $"ReadValueAsync<{element}>({target}, {parameters}, {allowNull}, allowNoRow: false, {token})",
            (PgQueryResultShape.SingleOrDefault, true) => $"ReadRowOrDefaultAsync<{NotNull(element)}>({target}, {parameters}, {token})",
            (PgQueryResultShape.SingleOrDefault, false) => $"ReadValueAsync<{element}>({target}, {parameters}, allowNull: true, allowNoRow: true, {token})",
            (PgQueryResultShape.Stream, true) => $"StreamRowsAsync<{element}>({target}, {parameters}, {token})",
            (PgQueryResultShape.Stream, false) => $"StreamValuesAsync<{element}>({target}, {parameters}, {allowNull}, {token})",
            _ => $"ExecuteAsync({target}, {parameters}, {token})",
        };
    }

    /// <summary>What the ValueTask holds: the declared type argument, which the Task form shares.</summary>
    private static string Awaited(PgQueryModel model)
    {
        var returnType = model.ReturnType;
        var open = returnType.IndexOf('<');
        return returnType.Substring(open + 1, returnType.Length - open - 2);
    }

    /// <summary>A [PgRow] class's name without the <c>?</c> the declared result has: the read method adds it.</summary>
    private static string NotNull(string type) => type.EndsWith("?", System.StringComparison.Ordinal) ? type.Substring(0, type.Length - 1) : type;

    private static string Literal(string text) => SymbolDisplay.FormatLiteral(text, quote: true);
}
