using System;
using System.Runtime.CompilerServices;
using Npgsql;
using NpgsqlTypes;

namespace PgBorrow;

/// <summary>
/// SQL for the query methods, safe by construction: in an interpolated string every hole becomes a
/// positional parameter (<c>$1</c>, <c>$2</c>, ...) carrying a typed <see cref="NpgsqlParameter{T}"/>,
/// so values are never spliced into the text and never boxed.
/// </summary>
/// <example>
/// <code>
/// var orders = await connection.QueryAsync&lt;Order&gt;(
///     $"SELECT id, total FROM orders WHERE customer_id = {customerId} AND total &gt; {minimum}", ct);
/// // sends: SELECT id, total FROM orders WHERE customer_id = $1 AND total &gt; $2
/// </code>
/// </example>
/// <remarks>
/// <para>A hole's format, when given, is the parameter's PostgreSQL type name:
/// <c>{document:jsonb}</c> sends <c>document</c> with <see cref="NpgsqlParameter.DataTypeName"/> <c>jsonb</c>.
/// Alignment (<c>{x,10}</c>) is not supported.</para>
/// <para>C# enums are sent as their integer value (the way [PgRow] reads them), which a PostgreSQL enum
/// column refuses (SQLSTATE 42804): mark such an enum [PgEnum]. Nullable enums and
/// enum arrays are not converted in this version: pass <c>(int?)value</c> or an int array.
/// Enums marked [PgEnum] are sent as they are, which Npgsql writes by label when the enum is mapped
/// on the data source (<c>dataSourceBuilder.MapEnum&lt;Mood&gt;("mood")</c>); without the mapping,
/// pass the label and cast it in SQL (<c>{label}::mood</c>).</para>
/// <para>A plain string converts too, for constant SQL with no parameters. Do not build that string
/// from input: analyzer rule PGB201 reports SQL built from non-constant text.</para>
/// <para>A <see cref="PgSql"/> is consumed by the call it is passed to; it cannot be stored or reused.</para>
/// </remarks>
[InterpolatedStringHandler]
public ref struct PgSql
{
    private DefaultInterpolatedStringHandler _text;
    private string? _constant;
    private NpgsqlParameter[]? _parameters;
    private int _parameterCount;
    private bool _isInterpolated;

    /// <summary>Called by the compiler for an interpolated string.</summary>
    public PgSql(int literalLength, int formattedCount)
    {
        _text = new DefaultInterpolatedStringHandler(literalLength, formattedCount);
        _constant = null;
        _parameters = formattedCount == 0 ? null : new NpgsqlParameter[formattedCount];
        _parameterCount = 0;
        _isInterpolated = true;
    }

    /// <summary>Constant SQL with no parameters.</summary>
    public static implicit operator PgSql(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        return new PgSql { _constant = sql };
    }

    /// <summary>Called by the compiler for the text between holes.</summary>
    public void AppendLiteral(string value) => _text.AppendLiteral(value);

    /// <summary>Called by the compiler for a hole: adds a typed parameter and writes its <c>$n</c> placeholder.</summary>
    public void AppendFormatted<T>(T value) => AddParameter(CreateParameter(value));

    /// <summary>
    /// Called by the compiler for a hole with a format: the format is the parameter's PostgreSQL type
    /// name (<c>{value:jsonb}</c>, <c>{values:integer[]}</c>).
    /// </summary>
    public void AppendFormatted<T>(T value, string? format)
    {
        var parameter = CreateParameter(value);
        if (!string.IsNullOrEmpty(format))
            parameter.DataTypeName = format;
        AddParameter(parameter);
    }

    /// <summary>The number of parameters so far.</summary>
    public readonly int ParameterCount => _parameterCount;

    /// <summary>The SQL text as it will be sent, with <c>$n</c> placeholders (for logging and tests).</summary>
    public override readonly string ToString() => _constant ?? _text.ToString();

    /// <summary>
    /// Makes a command on <paramref name="connection"/> with this SQL and its parameters, for when the
    /// query methods do not fit (a reader you drive yourself, <c>Prepare</c>). The caller owns the command.
    /// </summary>
    public NpgsqlCommand CreateCommand(NpgsqlConnection connection, NpgsqlTransaction? transaction = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return Take().CreateCommand(connection, transaction);
    }

    /// <summary>Takes the text and parameters out of the handler (and returns its buffer to the pool).</summary>
    internal PgStatement Take()
    {
        string text;
        if (_constant is not null)
            text = _constant;
        else if (_isInterpolated)
            text = _text.ToStringAndClear();
        else
            throw new ArgumentException("The SQL is empty: pass a string or an interpolated string.", "sql");

        var statement = new PgStatement(text, _parameters, _parameterCount);
        _constant = null;
        _parameters = null;
        _parameterCount = 0;
        _isInterpolated = false;
        return statement;
    }

    private void AddParameter(NpgsqlParameter parameter)
    {
        if (_parameters is null)
            _parameters = new NpgsqlParameter[4];
        else if (_parameterCount == _parameters.Length)
            Array.Resize(ref _parameters, _parameters.Length * 2);
        _parameters[_parameterCount++] = parameter;
        _text.AppendLiteral("$");
        _text.AppendFormatted(_parameterCount);
    }

    internal static NpgsqlParameter CreateParameter<T>(T value)
    {
        // typeof(T).IsEnum is folded by the JIT for value types; enums go as their integer value,
        // except [PgEnum] enums, which Npgsql writes by label once they are mapped (MapEnum).
        if (typeof(T).IsEnum && !PostgresEnum<T>.IsMarked)
            return CreateEnumParameter(value);
        var parameter = new NpgsqlParameter<T> { TypedValue = value };
        if (typeof(T) == typeof(NpgsqlRange<DateTime>) || typeof(T) == typeof(NpgsqlRange<DateTime>?))
            parameter.DataTypeName = PgRowValues.DateTimeRangeDataTypeName((NpgsqlRange<DateTime>?)(object?)value);
        return parameter;
    }

    /// <summary>Whether <typeparamref name="T"/> carries [PgEnum], looked up once per type.</summary>
    private static class PostgresEnum<T>
    {
        public static readonly bool IsMarked = typeof(T).IsDefined(typeof(PgEnumAttribute), inherit: false);
    }

    private static NpgsqlParameter CreateEnumParameter<T>(T value)
    {
        var underlying = Enum.GetUnderlyingType(typeof(T));
        if (underlying == typeof(int))
            return new NpgsqlParameter<int> { TypedValue = Unsafe.As<T, int>(ref value) };
        if (underlying == typeof(short))
            return new NpgsqlParameter<short> { TypedValue = Unsafe.As<T, short>(ref value) };
        if (underlying == typeof(long))
            return new NpgsqlParameter<long> { TypedValue = Unsafe.As<T, long>(ref value) };
        if (underlying == typeof(byte))
            return new NpgsqlParameter<short> { TypedValue = Unsafe.As<T, byte>(ref value) };
        throw new NotSupportedException(
            $"The enum {typeof(T).Name} has underlying type {underlying.Name}; PgSql sends enums stored as int, short, long or byte. Convert the value yourself.");
    }
}
