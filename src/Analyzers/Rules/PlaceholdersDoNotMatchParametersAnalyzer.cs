using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using PgBorrow.Analyzers.Ownership;
using PgBorrow.Analyzers.Sql;
using PgBorrow.Analyzers.Infrastructure;

namespace PgBorrow.Analyzers.Rules;

/// <summary>
/// PGB202: constant SQL whose <c>$n</c> or <c>@name</c> placeholders do not match the parameters
/// added to that command in the same method (or, for Dapper, the members of the parameter object).
/// The rule stays silent whenever it cannot count the parameters for sure: parameters added in a
/// loop, a command or parameter collection passed elsewhere, non-constant SQL.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class PlaceholdersDoNotMatchParametersAnalyzer : DiagnosticAnalyzer
{
    public static readonly DiagnosticDescriptor Descriptor = new(
        id: RuleIdentifiers.PlaceholdersDoNotMatchParameters,
        title: "Placeholders do not match parameters",
        messageFormat: "{0}",
        category: RuleCategories.Sql,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A $n without a value fails only at run time (with Npgsql: 08P01, 'bind message supplies 2 parameters, but prepared statement requires 3', and the connection is closed). Worse, a misnamed @name is left in the SQL, where PostgreSQL may read it as the prefix operator @ (absolute value) and run a different statement without any error. Checking the placeholders against the parameters added in the same method finds the mismatch at build time.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.PlaceholdersDoNotMatchParameters));

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Descriptor);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (NpgsqlSymbols.TryCreate(start.Compilation, start.Options) is not NpgsqlSymbols symbols)
                return;
            start.RegisterOperationBlockAction(block => AnalyzeBody(block, symbols));
            start.RegisterOperationAction(c => AnalyzeDapper(c, symbols), OperationKind.Invocation);
        });
    }

    /// <summary>What the method does to one command local.</summary>
    sealed class CommandUse
    {
        public IOperation? Sql;
        public bool SqlUnknown;
        public int Positional;
        public readonly List<string> Named = new();
        public bool CountUnknown;
    }

    static void AnalyzeBody(OperationBlockAnalysisContext context, NpgsqlSymbols symbols)
    {
        var commands = new Dictionary<ILocalSymbol, CommandUse>(SymbolEqualityComparer.Default);
        CommandUse? Use(IOperation? operation)
        {
            while (operation is IConversionOperation conversion)
                operation = conversion.Operand;
            if (operation is ILocalReferenceOperation local && NpgsqlSymbols.IsOrDerives(local.Type, symbols.NpgsqlCommand))
            {
                if (!commands.TryGetValue(local.Local, out var use))
                    commands[local.Local] = use = new CommandUse();
                return use;
            }
            return null;
        }

        foreach (var block in context.OperationBlocks)
        {
            foreach (var operation in block.DescendantsAndSelf())
            {
                switch (operation)
                {
                    case IVariableDeclaratorOperation declarator when NpgsqlSymbols.IsOrDerives(declarator.Symbol.Type, symbols.NpgsqlCommand):
                    {
                        if (!commands.TryGetValue(declarator.Symbol, out var use))
                            commands[declarator.Symbol] = use = new CommandUse();
                        var initializer = declarator.Initializer?.Value ?? (declarator.Parent as IVariableDeclarationOperation)?.Initializer?.Value;
                        if (Unwrap(initializer) is IObjectCreationOperation creation)
                        {
                            var shape = CommandShape.Read(creation, symbols);
                            if (shape.TextArgument is { Parameter.Name: "cmdText" } text)
                                SetSql(use, text.Value);
                            if (shape.TextInitializer is IOperation textInitializer)
                                SetSql(use, textInitializer);
                            if (shape.InitializesOtherMembers)
                                use.CountUnknown = true; // Parameters = { ... }: not counted here
                        }
                        else if (Unwrap(initializer) is IInvocationOperation { TargetMethod.Name: "CreateCommand" } create
                            && (NpgsqlSymbols.IsOrDerives(create.TargetMethod.ContainingType, symbols.NpgsqlConnection) || NpgsqlSymbols.IsOrDerives(create.TargetMethod.ContainingType, symbols.NpgsqlDataSource)))
                        {
                            var text = create.Arguments.FirstOrDefault(a => a.Parameter?.Type.SpecialType == SpecialType.System_String && a.ArgumentKind != ArgumentKind.DefaultValue);
                            if (text is not null)
                                SetSql(use, text.Value);
                        }
                        else if (initializer is not null)
                        {
                            use.SqlUnknown = true; // from a factory: its SQL and parameters are set elsewhere
                        }
                        break;
                    }
                    case ISimpleAssignmentOperation { Target: IPropertyReferenceOperation property } assignment
                        when CommandShape.PropertyOf(property) == CommandProperty.CommandText && Use(property.Instance) is CommandUse use:
                        SetSql(use, assignment.Value);
                        break;
                    case IInvocationOperation invocation when invocation.Instance is IPropertyReferenceOperation { Property.Name: "Parameters" } parameters
                        && Use(parameters.Instance) is CommandUse use:
                        CountParameter(invocation, use);
                        break;
                    case ILocalReferenceOperation local when commands.TryGetValue(local.Local, out var escaping) && Escapes(local):
                        escaping.CountUnknown = true;
                        break;
                    case IPropertyReferenceOperation { Property.Name: "Parameters" } parameters when Use(parameters.Instance) is CommandUse use
                        && parameters.Parent is not IInvocationOperation and not IPropertyReferenceOperation:
                        use.CountUnknown = true; // the collection itself is passed around or indexed
                        break;
                }
            }
        }

        foreach (var use in commands.Values)
        {
            if (use.Sql is null || use.SqlUnknown || use.CountUnknown || symbols.MemberConstants.ConstantString(use.Sql, context.CancellationToken) is not string sql)
                continue;
            var text = SqlClassifier.Classify(sql);
            var message = Compare(text, use.Positional, use.Named);
            if (message is not null)
                context.ReportDiagnostic(Diagnostic.Create(Descriptor, use.Sql.Syntax.GetLocation(), message));
        }
    }

    static void SetSql(CommandUse use, IOperation value)
    {
        if (use.Sql is not null)
            use.SqlUnknown = true; // set twice: which text runs with which parameters is a flow question
        use.Sql = value;
    }

    static void CountParameter(IInvocationOperation invocation, CommandUse use)
    {
        if (RunsRepeatedly(invocation))
        {
            use.CountUnknown = true;
            return;
        }
        switch (invocation.TargetMethod.Name)
        {
            case "Clear" or "Remove" or "RemoveAt" or "Insert" or "AddRange":
                use.CountUnknown = true;
                return;
            case "AddWithValue" or "Add":
                break;
            default:
                return; // Contains, IndexOf...: reads
        }

        var name = ParameterName(invocation);
        if (name is null)
            use.CountUnknown = true;
        else if (name.Length == 0)
            use.Positional++;
        else
            use.Named.Add(name.TrimStart('@', ':'));
    }

    /// <summary>"" for a positional parameter, its name for a named one, null when it cannot be told.</summary>
    static string? ParameterName(IInvocationOperation invocation)
    {
        var arguments = invocation.Arguments.Where(a => a.ArgumentKind != ArgumentKind.DefaultValue).ToList();
        if (arguments.Count == 0)
            return null;
        var first = arguments[0];
        if (first.Parameter?.Name == "parameterName")
            return first.Value.ConstantValue.Value as string;
        if (invocation.TargetMethod.Name == "AddWithValue" && arguments.Count == 1 || first.Parameter?.Name == "value" && invocation.TargetMethod.Name == "AddWithValue")
            return "";
        // Add(new NpgsqlParameter(...)) / Add(new NpgsqlParameter<T> { ... })
        if (Unwrap(first.Value) is IObjectCreationOperation creation)
        {
            foreach (var argument in creation.Arguments)
            {
                if (argument.Parameter?.Name == "parameterName" && argument.ArgumentKind != ArgumentKind.DefaultValue)
                    return argument.Value.ConstantValue.Value as string;
            }
            if (creation.Initializer is not null)
            {
                foreach (var init in creation.Initializer.Initializers)
                {
                    if (init is ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Property.Name: "ParameterName" } } set)
                        return set.Value.ConstantValue.Value as string;
                }
            }
            return "";
        }
        return null;
    }

    static string? Compare(SqlText text, int positional, List<string> named)
    {
        // Npgsql's legacy `:name` placeholders (and what looks like one: an array slice `a[1:n]`) are not
        // checked: precision first.
        if (text.ColonParameters.Count > 0)
            return null;
        var usesPositional = text.PositionalParameters.Count > 0;
        var usesNamed = text.NamedParameters.Count > 0;
        if (usesPositional && usesNamed)
            return "The SQL mixes $n and @name placeholders: Npgsql supports one style per command; write all of them as $n, or all as @name";
        if (usesPositional && named.Count == 0)
        {
            var highest = text.PositionalParameters.Max();
            if (highest > positional)
                return $"The SQL uses ${highest}, but only {positional} positional parameter{(positional == 1 ? " is" : "s are")} added to the command: add a parameter for each placeholder";
            if (positional > highest)
                return $"{positional} positional parameters are added to the command, but the SQL uses only up to ${highest}: remove the extra parameters, or use them in the SQL";
            for (var n = 1; n <= highest; n++)
            {
                if (!text.PositionalParameters.Contains(n))
                    return $"The SQL uses ${highest} but never ${n}: PostgreSQL cannot infer the type of ${n}; number the placeholders from $1 without gaps";
            }
            return null;
        }
        if (!usesPositional && !usesNamed)
        {
            return positional + named.Count > 0
                ? $"{positional + named.Count} parameter{(positional + named.Count == 1 ? " is" : "s are")} added to the command, but the SQL has no placeholder: write a placeholder ($1 or @name) for each in the SQL, or do not add any"
                : null;
        }
        if (usesNamed && positional == 0)
        {
            foreach (var name in text.NamedParameters)
            {
                if (!named.Contains(name, StringComparer.OrdinalIgnoreCase))
                    return $"The SQL uses @{name}, but no parameter named '{name}' is added to the command: add it, or fix the name";
            }
            foreach (var name in named)
            {
                if (!text.NamedParameters.Contains(name, StringComparer.OrdinalIgnoreCase))
                    return $"The parameter '{name}' is added to the command, but the SQL never uses @{name}: use it in the SQL, or remove it";
            }
            return null;
        }
        return usesPositional && usesNamed
            ? "The SQL mixes $n and @name placeholders: Npgsql supports one style per command; write all of them as $n, or all as @name"
            : "The SQL and the command's parameters use different placeholder styles ($n against named, or @name against positional): use $n with positional parameters, or @name with named ones";
    }

    /// <summary>Dapper: @name placeholders against the members of an anonymous parameter object.</summary>
    static void AnalyzeDapper(OperationAnalysisContext context, NpgsqlSymbols symbols)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var method = invocation.TargetMethod;
        if (!method.IsExtensionMethod || method.ContainingType?.ContainingNamespace is not { Name: "Dapper", ContainingNamespace.IsGlobalNamespace: true })
            return;
        var sql = invocation.Arguments.FirstOrDefault(a => a.Parameter?.Name == "sql");
        var param = invocation.Arguments.FirstOrDefault(a => a.Parameter?.Name == "param" && a.ArgumentKind != ArgumentKind.DefaultValue);
        if (sql is null || param is null || symbols.MemberConstants.ConstantString(sql.Value, context.CancellationToken) is not string text)
            return;
        if (Unwrap(param.Value) is not IAnonymousObjectCreationOperation anonymous || anonymous.Type is null)
            return;
        var members = anonymous.Type.GetMembers().OfType<IPropertySymbol>().Select(p => p.Name).ToList();
        foreach (var name in SqlClassifier.Classify(text).NamedParameters.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (!members.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                context.ReportDiagnostic(Diagnostic.Create(Descriptor, sql.Value.Syntax.GetLocation(),
                    $"The SQL uses @{name}, but the parameter object has no member '{name}': add the member, or fix the name"));
                return;
            }
        }
    }

    static IOperation? Unwrap(IOperation? operation)
    {
        while (operation is IConversionOperation conversion)
            operation = conversion.Operand;
        return operation;
    }

    /// <summary>
    /// A loop, or a lambda or local function (it runs any number of times), holds the call: its
    /// parameters cannot be counted. PGB104 asks only about loops of the method itself.
    /// </summary>
    static bool RunsRepeatedly(IOperation operation)
        => DelegateFates.RepetitionAt(operation) != Repetition.None;

    /// <summary>The command local is passed to a method, aliased, stored or returned: its parameters may be added there.</summary>
    static bool Escapes(ILocalReferenceOperation local)
    {
        var fate = DelegateFates.Of(local);
        return fate.Kind switch
        {
            FateKind.Argument or FateKind.Declared or FateKind.Returned or FateKind.YieldReturned => true,
            // One conversion at most between the command and the assignment, as this rule has always read it
            // (an alias made through two casts has not been seen in real code).
            FateKind.Assigned => fate.Value == local || fate.Value is IConversionOperation { Operand: var converted } && converted == local,
            _ => false,
        };
    }
}
