using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace PgBorrow.Analyzers.Infrastructure;

/// <summary>
/// Calls that act outside the database (PGB108): HTTP, e-mail, message brokers, files and streams,
/// channels. Types are resolved once per compilation; brokers are matched by namespace and verb, since
/// their client libraries are not referenced by the analyzer. Database APIs (Npgsql, PgBorrow, ADO.NET)
/// are never side effects.
/// </summary>
internal sealed class SideEffectApis
{
    /// <summary>Namespaces of message-broker clients, and the method-name prefixes that send.</summary>
    static readonly ImmutableArray<string> s_brokerNamespaces = ImmutableArray.Create(
        "Azure.Messaging", "Azure.Storage.Queues", "RabbitMQ.Client", "Confluent.Kafka", "MassTransit",
        "NServiceBus", "Amazon.SQS", "Amazon.SimpleNotificationService", "Amazon.EventBridge", "Google.Cloud.PubSub",
        "NATS.Client", "NATS.Net", "Rebus", "DotNetCore.CAP", "Wolverine");

    static readonly ImmutableArray<string> s_sendVerbs = ImmutableArray.Create(
        "Send", "Publish", "Produce", "Schedule", "BasicPublish", "Enqueue", "Emit");

    static readonly ImmutableHashSet<string> s_fileWrites = ImmutableHashSet.Create(
        "WriteAllText", "WriteAllTextAsync", "WriteAllBytes", "WriteAllBytesAsync", "WriteAllLines", "WriteAllLinesAsync",
        "AppendAllText", "AppendAllTextAsync", "AppendAllLines", "AppendAllLinesAsync", "AppendAllBytes", "AppendAllBytesAsync",
        "AppendText", "Create", "CreateText", "Delete", "Move", "Copy", "Replace", "Encrypt", "Decrypt",
        "CreateDirectory", "MoveTo", "CopyTo");

    static readonly ImmutableHashSet<string> s_streamWrites = ImmutableHashSet.Create(
        "Write", "WriteAsync", "WriteByte", "WriteLine", "WriteLineAsync", "Flush", "FlushAsync", "BeginWrite");

    readonly INamedTypeSymbol? _httpMessageInvoker;
    readonly INamedTypeSymbol? _httpClient;
    readonly INamedTypeSymbol? _smtpClient;
    readonly INamedTypeSymbol? _file;
    readonly INamedTypeSymbol? _fileInfo;
    readonly INamedTypeSymbol? _directory;
    readonly INamedTypeSymbol? _directoryInfo;
    readonly INamedTypeSymbol? _stream;
    readonly INamedTypeSymbol? _textWriter;
    readonly INamedTypeSymbol? _memoryStream;
    readonly INamedTypeSymbol? _stringWriter;
    readonly INamedTypeSymbol? _channelWriter;

    public SideEffectApis(Compilation compilation)
    {
        _httpMessageInvoker = compilation.GetTypeByMetadataName("System.Net.Http.HttpMessageInvoker");
        _httpClient = compilation.GetTypeByMetadataName("System.Net.Http.HttpClient");
        _smtpClient = compilation.GetTypeByMetadataName("System.Net.Mail.SmtpClient");
        _file = compilation.GetTypeByMetadataName("System.IO.File");
        _fileInfo = compilation.GetTypeByMetadataName("System.IO.FileInfo");
        _directory = compilation.GetTypeByMetadataName("System.IO.Directory");
        _directoryInfo = compilation.GetTypeByMetadataName("System.IO.DirectoryInfo");
        _stream = compilation.GetTypeByMetadataName("System.IO.Stream");
        _textWriter = compilation.GetTypeByMetadataName("System.IO.TextWriter");
        _memoryStream = compilation.GetTypeByMetadataName("System.IO.MemoryStream");
        _stringWriter = compilation.GetTypeByMetadataName("System.IO.StringWriter");
        _channelWriter = compilation.GetTypeByMetadataName("System.Threading.Channels.ChannelWriter`1");
    }

    /// <summary>
    /// What the call does outside the database ("it calls a service over HTTP"), or null when it is not a
    /// side effect. <paramref name="configured"/> and <paramref name="allowed"/> are the .editorconfig lists.
    /// </summary>
    public string? Describe(IInvocationOperation invocation, IReadOnlyList<string> configured, IReadOnlyList<string> allowed)
    {
        var method = invocation.TargetMethod;
        var type = method.ContainingType;
        if (type is null || IsDatabase(type))
            return null;
        var name = MemberList.NameOf(method.OriginalDefinition);
        if (allowed.Count > 0 && MemberList.Matches(name, allowed))
            return null;
        if (configured.Count > 0 && MemberList.Matches(name, configured))
            return "it is a side effect named in dotnet_code_quality.PGB108.side_effect_methods";

        // The receiver: the instance, or the `this` argument of an extension method (HttpClient.PostAsJsonAsync).
        var receiverType = invocation.Instance?.Type
            ?? (method.IsExtensionMethod && invocation.Arguments.Length > 0 ? invocation.Arguments[0].Value.Type : null)
            ?? type;

        if (DerivesFrom(receiverType, _httpMessageInvoker) || DerivesFrom(receiverType, _httpClient))
            return "it calls another service over HTTP";
        if (DerivesFrom(receiverType, _smtpClient) && method.Name.StartsWith("Send", StringComparison.Ordinal))
            return "it sends an e-mail";
        if ((Is(type, _file) || Is(type, _fileInfo) || Is(type, _directory) || Is(type, _directoryInfo)) && s_fileWrites.Contains(method.Name))
            return "it changes the file system";
        if ((DerivesFrom(receiverType, _stream) || DerivesFrom(receiverType, _textWriter)) && s_streamWrites.Contains(method.Name)
            && !DerivesFrom(receiverType, _memoryStream) && !DerivesFrom(receiverType, _stringWriter) && !IsConsole(invocation.Instance))
            return "it writes to a stream";
        if (DerivesFrom(receiverType, _channelWriter) && method.Name is "TryWrite" or "WriteAsync")
            return "it writes to a channel that other code reads";
        if (IsBrokerSend(type, method))
            return "it sends a message";
        if (IsInNamespace(type, "MediatR") && method.Name == "Publish")
            return "it publishes a notification to its handlers";
        if (IsInNamespace(type, "MailKit") && method.Name.StartsWith("Send", StringComparison.Ordinal))
            return "it sends an e-mail";
        return null;
    }

    static bool IsBrokerSend(INamedTypeSymbol type, IMethodSymbol method)
    {
        var verb = false;
        foreach (var prefix in s_sendVerbs)
        {
            if (method.Name.StartsWith(prefix, StringComparison.Ordinal))
            {
                verb = true;
                break;
            }
        }
        if (!verb)
            return false;
        foreach (var ns in s_brokerNamespaces)
        {
            if (IsInNamespace(type, ns))
                return true;
        }
        return false;
    }

    /// <summary>Npgsql, the PgBorrow runtime and ADO.NET: database work, never a side effect.</summary>
    public static bool IsDatabase(INamedTypeSymbol type)
        => IsInNamespace(type, "Npgsql") || IsInNamespace(type, "PgBorrow") || IsInNamespace(type, "System.Data") || IsInNamespace(type, "Dapper");

    static bool IsConsole(IOperation? instance)
        => instance is IPropertyReferenceOperation { Property.ContainingType: { Name: "Console", ContainingNamespace.Name: "System" } };

    static bool IsInNamespace(INamedTypeSymbol type, string ns)
    {
        var display = type.ContainingNamespace?.ToDisplayString() ?? "";
        return display == ns || display.StartsWith(ns + ".", StringComparison.Ordinal);
    }

    static bool Is(ITypeSymbol type, INamedTypeSymbol? expected)
        => expected is not null && SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, expected);

    static bool DerivesFrom(ITypeSymbol? type, INamedTypeSymbol? expected)
    {
        if (expected is null)
            return false;
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (Is(current, expected))
                return true;
        }
        return false;
    }
}
