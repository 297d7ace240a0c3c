namespace JobScheduler.Sqlite.Database;

/// <summary>One forward step of the schema. Applied once, in a transaction, and recorded in <c>schema_version</c>.</summary>
/// <param name="Version">The schema version this step produces; versions count up from 1 without gaps.</param>
/// <param name="Description">What the step does, stored beside the version for operators.</param>
/// <param name="Sql">The statements, run as one script. Never edit a shipped migration: add a new one.</param>
internal sealed record SqliteMigration(int Version, string Description, string Sql);
