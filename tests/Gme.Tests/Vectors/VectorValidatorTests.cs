using Gme.Core.Vectors;

namespace Gme.Tests.Vectors;

public sealed class VectorValidatorTests
{
    [Fact]
    public void Check_RightSizeAndFinite_ReturnsNull()
    {
        Assert.Null(VectorValidator.Check([0.1f, -0.2f, 0.3f], 3));
    }

    [Fact]
    public void Check_WrongSize_NamesBothSizes()
    {
        Assert.Equal("expected 384 dimensions, got 12", VectorValidator.Check(new float[12], 384));
    }

    [Fact]
    public void Check_NaN_NamesIndex()
    {
        var vector = Enumerable.Repeat(1f, 10).ToArray();
        vector[7] = float.NaN;
        Assert.Equal("value at index 7 is NaN", VectorValidator.Check(vector, 10));
    }

    [Theory]
    [InlineData(float.PositiveInfinity, "value at index 0 is +Infinity")]
    [InlineData(float.NegativeInfinity, "value at index 0 is -Infinity")]
    public void Check_Infinity_NamesIndexAndSign(float value, string expected)
    {
        Assert.Equal(expected, VectorValidator.Check([value, 1f], 2));
    }

    [Fact]
    public void Check_ZeroVector_IsRefused()
    {
        Assert.Contains("zero", VectorValidator.Check(new float[4], 4), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_NormAtThreshold_IsRefused()
    {
        // 1e-6f is a hair below 1e-6 as a double, so it sits on the refused side of the boundary.
        Assert.NotNull(VectorValidator.Check([1e-6f, 0f], 2));
    }

    [Fact]
    public void Check_NormJustAboveThreshold_IsAccepted()
    {
        Assert.Null(VectorValidator.Check([1.5e-6f, 0f], 2));
    }

    [Fact]
    public void Check_ManyTinyValuesAboveThresholdTogether_IsAccepted()
    {
        // Each square underflows nothing in double: 384 values of 1e-7 have norm ~1.96e-6.
        Assert.Null(VectorValidator.Check(Enumerable.Repeat(1e-7f, 384).ToArray(), 384));
    }

    [Fact]
    public void Check_HugeFiniteValues_AreAccepted()
    {
        // Squares overflow float but not the double accumulator.
        Assert.Null(VectorValidator.Check([3e38f, 3e38f], 2));
    }

    [Fact]
    public void Check_NonPositiveExpectedSize_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => VectorValidator.Check([1f], 0));
    }
}
