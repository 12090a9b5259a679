using PgBorrow.Generators.Model;

namespace PgBorrow.Generators.Rows;

internal static partial class PgRowEmitter
{
    private const string Task = "global::System.Threading.Tasks.Task";
    private const string CancellationToken = "global::System.Threading.CancellationToken";
    private const string ConfigureAwait = ".ConfigureAwait(false);";

    /// <summary>
    /// <c>WriteAsync</c>: one binary COPY row, a typed write per member in map order (NULL for null
    /// values), with failures turned into a <c>PgRowException</c> that names the member.
    /// </summary>
    private static void WriteCopyRow(CodeBuilder code, PgRowModel model, string rowInterface, Helpers helpers)
    {
        var signature = Task + " " + rowInterface + ".WriteAsync(global::Npgsql.NpgsqlBinaryImporter importer, "
            + model.FullyQualifiedName + " row, " + CancellationToken + " cancellationToken)";
        var notWritable = NotWritableMember(model);
        if (notWritable is not null)
        {
            code.Line("static " + signature);
            code.Line("    => throw __pgRowMap.NotWritable(" + Literal(notWritable) + ");");
            return;
        }

        code.Line("static async " + signature);
        code.Open();
        code.Line("await importer.StartRowAsync(cancellationToken)" + ConfigureAwait);
        code.Line("var member = 0;");
        code.Line("try");
        code.Open();
        for (var i = 0; i < model.Members.Count; i++)
        {
            var member = model.Members[i];
            if (i > 0)
                code.Line("member = " + i + ";");
            var access = "row." + Identifier(member.Accessor);
            if (!member.IsNullable)
            {
                code.Line("await " + CopyWrite(member, access, helpers) + ConfigureAwait);
                continue;
            }

            var value = "value" + i;
            code.Line("if (" + access + " is { } " + value + ")");
            code.Line("    await " + CopyWrite(member, value, helpers) + ConfigureAwait);
            code.Line("else");
            code.Line("    await importer.WriteNullAsync(cancellationToken)" + ConfigureAwait);
        }

        code.Close();
        code.Line("catch (global::System.Exception exception) when (global::PgBorrow.PgRowMap.IsWriteFailure(exception))");
        code.Open();
        code.Line("throw __pgRowMap.WriteFailed(member, exception);");
        code.Close();
        code.Close();
    }

    /// <summary><c>AddParameters</c>: one typed <c>NpgsqlParameter&lt;T&gt;</c> per member, in map order (<c>$1</c> to <c>$n</c>).</summary>
    private static void WriteParameters(CodeBuilder code, PgRowModel model, string rowInterface, Helpers helpers)
    {
        var signature = "void " + rowInterface + ".AddParameters(global::Npgsql.NpgsqlParameterCollection parameters, " + model.FullyQualifiedName + " row)";
        var notWritable = NotWritableMember(model);
        if (notWritable is not null)
        {
            code.Line("static " + signature);
            code.Line("    => throw __pgRowMap.NotWritable(" + Literal(notWritable) + ");");
            return;
        }

        code.Line("static " + signature);
        code.Open();
        for (var i = 0; i < model.Members.Count; i++)
            code.Line("parameters.Add(" + Parameter(model.Members[i], i, helpers) + ");");
        code.Close();
    }

    /// <summary>The first member a writer cannot read (a constructor parameter with no property), or null.</summary>
    private static string? NotWritableMember(PgRowModel model)
    {
        foreach (var member in model.Members)
        {
            if (member.Accessor.Length == 0)
                return member.Name;
        }
        return null;
    }

    private static string CopyWrite(PgRowMemberModel member, string value, Helpers helpers)
    {
        var written = WrittenValue(member, value, helpers, out var dataTypeName);
        return dataTypeName is null
            ? "importer.WriteAsync(" + written + ", cancellationToken)"
            : "importer.WriteAsync(" + written + ", " + Literal(dataTypeName) + ", cancellationToken)";
    }

    private static string Parameter(PgRowMemberModel member, int index, Helpers helpers)
    {
        var access = "row." + Identifier(member.Accessor);
        var read = member.Read;
        string type;
        string value;
        switch (read.Kind)
        {
            case PgRowReadKind.Direct:
                type = member.TypeName;
                value = access;
                break;
            case PgRowReadKind.EnumCast:
                type = member.IsNullable ? read.UnderlyingType + "?" : read.UnderlyingType;
                value = "(" + type + ")" + access;
                break;
            default:
                // Conversions that need a non-null value: arrays of enums, labels, JSON.
                var converted = WrittenValue(member, member.IsNullable ? "value" + index : access, helpers, out _);
                type = ConvertedType(read) + (member.IsNullable ? "?" : string.Empty);
                value = member.IsNullable ? access + " is { } value" + index + " ? " + converted + " : null" : converted;
                break;
        }

        var dataTypeName = read.DataTypeName.Length > 0 ? ", DataTypeName = " + Literal(read.DataTypeName) : string.Empty;
        return "new global::Npgsql.NpgsqlParameter<" + type + "> { TypedValue = " + value + dataTypeName + " }";
    }

    /// <summary>The expression a writer sends for the non-null <paramref name="value"/>, and the PostgreSQL type to name when the CLR type does not say it.</summary>
    private static string WrittenValue(PgRowMemberModel member, string value, Helpers helpers, out string? dataTypeName)
    {
        var read = member.Read;
        dataTypeName = read.DataTypeName.Length > 0 ? read.DataTypeName : null;
        return read.Kind switch
        {
            PgRowReadKind.EnumCast => "(" + read.UnderlyingType + ")" + value,
            PgRowReadKind.EnumArray => "global::PgBorrow.PgRowValues.FromEnumArray<" + read.EnumType + ", " + read.UnderlyingType + ">(" + value + ")",
            PgRowReadKind.EnumList => "global::PgBorrow.PgRowValues.FromEnumList<" + read.EnumType + ", " + read.UnderlyingType + ">(" + value + ")",
            PgRowReadKind.EnumLabel => helpers.ToLabel(read) + "(" + value + ")",
            PgRowReadKind.Json => "global::PgBorrow.PgRowValues.ToJson<" + read.EnumType + ">(" + value + helpers.JsonTypeInfoArgument(member) + ")",
            _ => value,
        };
    }

    /// <summary>The CLR type <see cref="WrittenValue"/> produces for conversions.</summary>
    private static string ConvertedType(PgRowReadPlan read) => read.Kind switch
    {
        PgRowReadKind.EnumArray or PgRowReadKind.EnumList => read.UnderlyingType + "[]",
        _ => "string",
    };
}
