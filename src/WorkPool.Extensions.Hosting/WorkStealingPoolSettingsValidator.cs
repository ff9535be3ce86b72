using Microsoft.Extensions.Options;

namespace WorkPool.Extensions.Hosting;

/// <summary>
/// Checks <see cref="WorkStealingPoolSettings"/> with the pool's own rules (it builds the options
/// and reports what their setters reject), so a bad value fails the host's start with an
/// <see cref="OptionsValidationException"/> that names the setting, not with an exception from
/// inside the configuration binder or from the first request that resolves the pool.
/// </summary>
public sealed class WorkStealingPoolSettingsValidator : IValidateOptions<WorkStealingPoolSettings>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, WorkStealingPoolSettings options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            _ = options.ToOptions();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException e)
        {
            return ValidateOptionsResult.Fail($"{WorkStealingPoolSettings.SectionName}:{e.ParamName}: {e.Message}");
        }
    }
}
