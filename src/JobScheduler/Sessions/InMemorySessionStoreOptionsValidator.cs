using Microsoft.Extensions.Options;

namespace JobScheduler.Sessions;

/// <summary>Validates the data annotations of <see cref="InMemorySessionStoreOptions"/> (source-generated).</summary>
[OptionsValidator]
internal sealed partial class InMemorySessionStoreOptionsValidator : IValidateOptions<InMemorySessionStoreOptions>
{
}
