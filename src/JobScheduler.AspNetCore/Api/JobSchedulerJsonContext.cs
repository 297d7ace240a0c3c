using System.Text.Json;
using System.Text.Json.Serialization;

namespace JobScheduler.AspNetCore.Api;

/// <summary>
/// The API's JSON shape, generated at compile time: camelCase names, enums as their names (<c>"Succeeded"</c>), nulls
/// written out. It does not follow the application's own JSON options, so the API looks the same in every application.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(IReadOnlyList<JobInfo>))]
[JsonSerializable(typeof(JobInfo))]
[JsonSerializable(typeof(IReadOnlyList<JobSession>))]
[JsonSerializable(typeof(JobSessionPage))]
[JsonSerializable(typeof(TriggerResponse))]
internal sealed partial class JobSchedulerJsonContext : JsonSerializerContext;
