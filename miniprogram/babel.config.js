// babel-preset-taro compiles TSX for both targets; see NervJS/taro packages/babel-preset-taro.
module.exports = {
  presets: [['taro', { framework: 'react', ts: true, compiler: 'webpack5' }]],
};
