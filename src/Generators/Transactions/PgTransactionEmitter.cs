using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using PgBorrow.Generators.Methods;
using PgBorrow.Generators.Model;
using PgBorrow.Generators.Rows;

namespace PgBorrow.Generators.Transactions;

/// <summary>
/// Writes a [PgTransaction] method's implementation: a static readonly <c>PgTransactionOptions</c> field
/// (made once per method) and the partial method's body, one call to the runtime's state-passing
/// <c>InTransactionAsync</c>. The parameters travel as the state (nothing when there are none, the value itself
/// when there is one, a value tuple otherwise; <c>this</c> first for an instance method) and the body is
/// called from a static lambda, so a call allocates no closure and no delegate.
/// </summary>
internal static class PgTransactionEmitter
{
    private const string Extensions = "global::PgBorrow.PgTransactionExtensions";

    public static string Emit(PgTransactionModel model)
    {
        var code = new CodeBuilder();
        PartialMethodParts.OpenFile(code, "PgTransaction", model.DisplayName, model.Namespace, model.ContainingTypes);
        WriteOptions(code, model);
        code.Line();
        WriteMethod(code, model);
        return PartialMethodParts.CloseFile(code, model.ContainingTypes);
    }

    private static void WriteOptions(CodeBuilder code, PgTransactionModel model)
    {
        var options = model.Options;
        code.Line("/// <summary>How <c>" + model.Name + "</c> begins and retries its transaction: the [PgTransaction] arguments, made once.</summary>");
        code.Line("private static readonly global::PgBorrow.PgTransactionOptions " + model.OptionsField + " = new global::PgBorrow.PgTransactionOptions");
        code.Open();
        code.Line("IsolationLevel = global::System.Data.IsolationLevel." + options.IsolationLevel + ",");
        code.Line("ReadOnly = " + Bool(options.ReadOnly) + ",");
        code.Line("Deferrable = " + Bool(options.Deferrable) + ",");
        code.Line("MaxAttempts = " + Int(options.MaxAttempts) + ",");
        code.Line("BaseDelay = global::System.TimeSpan.FromMilliseconds(" + Int(options.BaseDelayMilliseconds) + "),");
        code.Line("MaxDelay = global::System.TimeSpan.FromMilliseconds(" + Int(options.MaxDelayMilliseconds) + "),");
        code.Close("};");
    }

    private static void WriteMethod(CodeBuilder code, PgTransactionModel model)
    {
        var modifiers = model.Modifiers.Length == 0 ? "" : model.Modifiers + " ";
        var declared = new List<string> { (model.IsExtension ? "this " : "") + model.Source.TypeName + " " + model.Source.Name };
        declared.AddRange(model.Parameters.Select(p => (p.IsParams ? "params " : "") + p.TypeName + " " + p.Name));
        code.Line(modifiers + "partial " + model.ReturnType + " " + model.Name + "(" + string.Join(", ", declared) + ")");

        // The state: this (instance methods), then every parameter but the source and the scope's token.
        var state = new List<(string Type, string Value)>();
        if (!model.IsStatic)
            state.Add((model.ContainingTypeName, "this"));
        state.AddRange(model.Parameters.Where(p => p.Role == PgTransactionParameterRole.State).Select(p => (p.TypeName, p.Name)));
        var token = model.Parameters.FirstOrDefault(p => p.Role == PgTransactionParameterRole.CancellationToken);

        string Item(int index) => state.Count == 1 ? "__state" : "__state.Item" + (index + 1).ToString(CultureInfo.InvariantCulture);
        var next = model.IsStatic ? 0 : 1;
        var arguments = new List<string> { "__tx" };
        foreach (var parameter in model.Parameters)
            arguments.Add(parameter.Role == PgTransactionParameterRole.CancellationToken ? "__ct" : Item(next++));
        var target = model.IsStatic ? model.Body : Item(0) + "." + model.Body;
        var call = target + "(" + string.Join(", ", arguments) + ")";

        var typeArguments = new List<string>();
        if (state.Count > 0)
            typeArguments.Add(state.Count == 1 ? state[0].Type : "(" + string.Join(", ", state.Select(s => s.Type)) + ")");
        if (model.ResultType.Length > 0)
            typeArguments.Add(model.ResultType);

        code.Indent();
        code.Line("=> " + Extensions + ".InTransactionAsync" + (typeArguments.Count == 0 ? "" : "<" + string.Join(", ", typeArguments) + ">") + "(");
        code.Indent();
        code.Line(model.Source.Name + ",");
        code.Line(model.OptionsField + ",");
        if (state.Count > 0)
        {
            code.Line((state.Count == 1 ? state[0].Value : "(" + string.Join(", ", state.Select(s => s.Value)) + ")") + ",");
            code.Line("static (__tx, __state, __ct) => " + call + (token is null ? ");" : ","));
        }
        else
        {
            code.Line("static (__tx, __ct) => " + call + (token is null ? ");" : ","));
        }
        if (token is not null)
            code.Line(token.Name + ");");
        code.Outdent();
        code.Outdent();
    }

    private static string Bool(bool value) => value ? "true" : "false";

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
}
