"""The city's partner cities (友好城市 / 友好交流城市): the register, its anniversaries, and the
options the trip and invitation forms offer from it."""
