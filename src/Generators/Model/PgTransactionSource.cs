namespace PgBorrow.Generators.Model;

/// <summary>One generated [PgTransaction] file: its hint name and text.</summary>
internal sealed record PgTransactionSource(string HintName, string Text);
