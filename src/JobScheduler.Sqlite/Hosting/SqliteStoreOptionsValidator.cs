using Microsoft.Extensions.Options;

namespace JobScheduler.Sqlite.Hosting;

/// <summary>Validates the data annotations of <see cref="SqliteStoreOptions"/> (source-generated).</summary>
[OptionsValidator]
internal sealed partial class SqliteStoreOptionsValidator : IValidateOptions<SqliteStoreOptions>
{
}
