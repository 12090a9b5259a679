using System.Collections.Generic;
using PgBorrow.Generators.Model;

namespace PgBorrow.Generators.Rows;

internal static partial class PgRowEmitter
{
    private const string JsonTypeInfo = "global::System.Text.Json.Serialization.Metadata.JsonTypeInfo";

    /// <summary>
    /// The private static helpers a row type's reads and writes call: for each [PgEnum] enum, a switch
    /// from label to value and one back (no reflection, no MapEnum needed); for each [PgJson] member
    /// with a context, its <c>JsonTypeInfo&lt;T&gt;</c>, looked up once.
    /// </summary>
    private sealed class Helpers
    {
        private readonly List<PgRowReadPlan> _enums = new();
        private readonly Dictionary<string, int> _enumIndex = new();
        private readonly List<PgRowReadPlan> _json = new();
        private readonly Dictionary<(string Type, string Context), int> _jsonIndex = new();

        public Helpers(PgRowModel model)
        {
            foreach (var member in model.Members)
            {
                var read = member.Read;
                if (read.Kind == PgRowReadKind.EnumLabel && !_enumIndex.ContainsKey(read.EnumType))
                {
                    _enumIndex.Add(read.EnumType, _enums.Count);
                    _enums.Add(read);
                }
                else if (read.Kind == PgRowReadKind.Json && read.JsonContext.Length > 0 && !_jsonIndex.ContainsKey((read.EnumType, read.JsonContext)))
                {
                    _jsonIndex.Add((read.EnumType, read.JsonContext), _json.Count);
                    _json.Add(read);
                }
            }
        }

        /// <summary>The method that turns a label into the enum value.</summary>
        public string FromLabel(PgRowReadPlan read) => "__pgFromLabel" + _enumIndex[read.EnumType];

        /// <summary>The method that turns an enum value into its label.</summary>
        public string ToLabel(PgRowReadPlan read) => "__pgToLabel" + _enumIndex[read.EnumType];

        /// <summary><c>, __pgJson0</c> for a member with a context; empty for the reflection-based serializer.</summary>
        public string JsonTypeInfoArgument(PgRowMemberModel member)
            => member.Read.JsonContext.Length == 0 ? string.Empty : ", __pgJson" + _jsonIndex[(member.Read.EnumType, member.Read.JsonContext)];

        public void Write(CodeBuilder code)
        {
            for (var i = 0; i < _enums.Count; i++)
                WriteEnum(code, i, _enums[i]);
            for (var i = 0; i < _json.Count; i++)
                WriteJson(code, i, _json[i]);
        }

        private static void WriteEnum(CodeBuilder code, int index, PgRowReadPlan read)
        {
            var pgType = Literal(read.DataTypeName);
            var clrType = Literal(read.EnumType.Replace("global::", string.Empty));
            code.Line();
            code.Line("private static " + read.EnumType + " __pgFromLabel" + index + "(string label) => label switch");
            code.Open();
            foreach (var label in read.Labels)
                code.Line(Literal(label.Label) + " => " + read.EnumType + "." + Identifier(label.Member) + ",");
            code.Line("_ => throw global::PgBorrow.PgRowValues.UnknownLabel(" + pgType + ", " + clrType + ", label),");
            code.Close("};");
            code.Line();
            code.Line("private static string __pgToLabel" + index + "(" + read.EnumType + " value) => value switch");
            code.Open();
            foreach (var label in read.Labels)
                code.Line(read.EnumType + "." + Identifier(label.Member) + " => " + Literal(label.Label) + ",");
            code.Line("_ => throw global::PgBorrow.PgRowValues.UndefinedEnumValue(" + pgType + ", " + clrType + ", value.ToString()),");
            code.Close("};");
        }

        private static void WriteJson(CodeBuilder code, int index, PgRowReadPlan read)
        {
            var info = JsonTypeInfo + "<" + read.EnumType + ">";
            code.Line();
            code.Line("private static " + info + "? __pgJsonInfo" + index + ";");
            code.Line();
            code.Line("private static " + info + " __pgJson" + index);
            code.Line("    => __pgJsonInfo" + index + " ??= global::PgBorrow.PgRowValues.JsonTypeInfo<" + read.EnumType + ">(" + read.JsonContext + ".Default);");
        }
    }
}
