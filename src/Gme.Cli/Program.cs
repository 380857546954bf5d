using Gme.Cli;

return await GmeCommandLine.Build().Parse(args).InvokeAsync();
