using System.Text.Json.Serialization;

namespace JobScheduler.Sqlite.Sessions;

/// <summary>Source-generated JSON for the <c>metadata</c> column: a flat object of strings.</summary>
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
internal sealed partial class MetadataJsonContext : JsonSerializerContext
{
}
