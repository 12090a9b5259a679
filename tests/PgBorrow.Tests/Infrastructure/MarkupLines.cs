using System;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis.Testing;

namespace PgBorrow.Tests.Infrastructure;

/// <summary>
/// Line numbers in expected messages ("still open when the method returns on line 17"), written as the
/// markup location they name: mark the line's code with <c>{|#1:return false;|}</c> and expect
/// <c>LineOf(1)</c>, alone or inside a longer argument. The verifiers fill in the number against the
/// source as compiled, usings included, so a test never counts the lines the verifier prepends.
/// </summary>
internal static class MarkupLines
{
    static readonly Regex Placeholder = new(@"\{line of #(\d+)\}", RegexOptions.CultureInvariant);

    /// <summary>Stands for the 1-based line on which markup location <c>{|#n:...|}</c> starts.</summary>
    public static string LineOf(int markupLocation) => $"{{line of #{markupLocation}}}";

    /// <summary>The expected diagnostics with every <see cref="LineOf"/> in their arguments replaced by the line number.</summary>
    public static DiagnosticResult[] Resolve(string testCode, DiagnosticResult[] expected)
        => expected.Select(result => result.MessageArguments is { Length: > 0 } arguments && arguments.Any(IsPlaceholder)
                ? result.WithArguments(arguments.Select(argument => argument is string text ? Fill(testCode, text) : argument!).ToArray())
                : result)
            .ToArray();

    static bool IsPlaceholder(object? argument) => argument is string text && Placeholder.IsMatch(text);

    static string Fill(string testCode, string argument)
        => Placeholder.Replace(argument, match => LineOfMarkup(testCode, int.Parse(match.Groups[1].Value)).ToString());

    static int LineOfMarkup(string testCode, int markupLocation)
    {
        var start = testCode.IndexOf("{|#" + markupLocation + ":", StringComparison.Ordinal);
        if (start < 0)
            throw new ArgumentException($"LineOf({markupLocation}) names a markup location the source does not have.");
        return 1 + testCode.Take(start).Count(character => character == '\n');
    }
}
