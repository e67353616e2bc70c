// Chinese for the two parts of the bundle that do not go through a `translate` service: the
// form-js editor (palette, properties panel) and bpmn-js-token-simulation (its toggle, palette
// and context pads), whose strings are written into the DOM as literals. localizeDom() rewrites
// texts and titles found in a dictionary, now and as the editors render, and leaves everything
// else alone: the diagram's own SVG labels and the rendered form fields (the analyst's words)
// are never touched.
const ATTRIBUTES = [ 'title', 'placeholder', 'aria-label' ];

export const FORM_ZH = {
  'Search components': '搜索组件', 'Components': '组件', 'Input': '输入', 'Selection': '选择',
  'Presentation': '展示', 'Containers': '容器', 'Action': '操作', 'Text field': '文本框',
  'Text area': '多行文本', 'Number': '数字', 'Date time': '日期时间', 'Datetime': '日期时间',
  'Expression': '表达式', 'Checkbox': '复选框', 'Checkbox group': '复选框组', 'Radio group': '单选组',
  'Select': '下拉选择', 'Tag list': '标签列表', 'Text view': '文本', 'Image view': '图片',
  'Table': '表格', 'HTML view': 'HTML', 'Document preview': '文档预览', 'Spacer': '间距',
  'Separator': '分隔线', 'Group': '分组', 'Dynamic list': '动态列表', 'iFrame': '内嵌页面',
  'Button': '按钮', 'File picker': '文件选择', 'General': '常规', 'Field label': '字段标签',
  'Field description': '字段说明', 'Key': '键', 'Default value': '默认值', 'Validation': '校验',
  'Required': '必填', 'Minimum length': '最小长度', 'Maximum length': '最大长度', 'Minimum': '最小值',
  'Maximum': '最大值', 'Validation pattern': '校验规则', 'Custom regular expression': '自定义正则表达式',
  'Custom error message': '自定义错误信息', 'Condition': '条件', 'Hide if': '隐藏条件', 'Layout': '布局',
  'Columns': '列宽', 'Custom properties': '自定义属性', 'Appearance': '外观', 'Options source': '选项来源',
  'Static options': '固定选项', 'Dynamic options': '动态选项', 'Input values key': '选项数据键',
  'Options expression': '选项表达式', 'Read only': '只读', 'Disabled': '禁用', 'Text': '文本',
  'Label': '标签', 'Value': '值', 'Type': '类型', 'Path': '路径', 'Prefix': '前缀', 'Suffix': '后缀',
  'Decimal digits': '小数位数', 'Increment': '步长', 'Serialization': '序列化', 'Output as string': '输出为字符串',
  'Constraints': '约束', 'Subtype': '子类型', 'Date': '日期', 'Time': '时间', 'Date & Time': '日期和时间',
  'Date label': '日期标签', 'Time label': '时间标签', 'Time format': '时间格式', 'Time interval': '时间间隔',
  'Use 24h': '24 小时制', 'Disallow past dates': '禁止过去的日期', 'Searchable': '可搜索', 'Content': '内容',
  'Placeholder': '占位文字', 'Default number of items': '默认条目数', 'Number of non-collapsing items': '不折叠的条目数',
  'Disable collapse': '不可折叠', 'Show outline': '显示边框', 'Height': '高度', 'URL': '网址',
  'Image source': '图片来源', 'Alternative text': '替代文字', 'Form submission': '表单提交', 'Submit': '提交',
  'Reset': '重置', 'Action type': '操作类型', 'Version tag': '版本标签', 'Email': '电子邮件', 'Phone': '电话',
  'Custom': '自定义', 'Data source': '数据来源', 'Headers source': '表头来源', 'Header items': '表头项',
  'Pagination': '分页', 'Number of rows per page': '每页行数', 'List of items': '条目列表', 'Add': '添加',
  'Remove': '删除', 'Delete': '删除', 'Toggle section': '展开/折叠', 'Build your form': '开始设计表单',
  'Drag and drop components here to start designing.': '把组件拖到这里开始设计。',
  'Use the preview window to test your form.': '用预览窗口测试表单。', 'Not checked': '未勾选',
  'Multiple files': '多个文件', 'Upload multiple files': '上传多个文件', 'Supported file formats': '支持的文件格式',
  'Document reference': '文档引用', 'Max height of preview container': '预览区最大高度',
  'Security attributes': '安全属性', 'Value changes': '值变化时', 'Target value': '目标值',
  'Vertical alignment': '垂直对齐', 'Top': '顶部', 'Center': '居中', 'Bottom': '底部', 'Column': '列',
  'Properties': '属性', 'No components found.': '没有找到组件。', 'Filter': '筛选',
};

export const TOKEN_SIMULATION_ZH = {
  'Token Simulation': '令牌模拟', 'Toggle Simulation Log': '显示/隐藏模拟日志', 'Reset Simulation': '重置模拟',
  'Play/Pause Simulation': '开始/暂停模拟', 'Set Sequence Flow': '选择顺序流', 'Trigger Event': '触发事件',
  'Add pause point': '添加暂停点', 'Remove pause point': '移除暂停点', 'Simulation Log': '模拟日志',
  'Start Simulation': '开始模拟', 'Pause Simulation': '暂停模拟', 'Simulation Started': '模拟已开始',
  'Simulation Finished': '模拟已结束', 'Simulation Paused': '模拟已暂停', 'Simulation Reset': '模拟已重置',
  'Set Animation Speed': '设置动画速度', 'Toggle Token Simulation': '切换令牌模拟', 'Reset': '重置',
  'Log': '日志', 'Clear': '清空', 'Close': '关闭',
};

function skipped(node, skip) {
  const element = node.nodeType === 1 ? node : node.parentElement;
  return !element || element.closest('svg') || (skip && element.closest(skip));
}

function rewrite(node, dictionary, skip) {
  if (skipped(node, skip)) {
    return;
  }
  if (node.nodeType === 3) {
    const text = node.data.trim();
    // write only what changes: a write queues a mutation, which would come back here
    if (text && Object.prototype.hasOwnProperty.call(dictionary, text) && dictionary[text] !== text) {
      node.data = node.data.replace(text, dictionary[text]);
    }
    return;
  }
  if (node.nodeType !== 1) {
    return;
  }
  for (const name of ATTRIBUTES) {
    const value = (node.getAttribute(name) || '').trim();
    if (value && Object.prototype.hasOwnProperty.call(dictionary, value) && dictionary[value] !== value) {
      node.setAttribute(name, dictionary[value]);
    }
  }
  for (const child of node.childNodes) {
    rewrite(child, dictionary, skip);
  }
}

/**
 * Rewrite the texts and titles under `root` found in `dictionary`, now and whenever the DOM
 * changes. `skip`: a selector whose subtrees are left alone.
 * @return {MutationObserver}
 */
export function localizeDom(root, dictionary, skip) {
  rewrite(root, dictionary, skip);
  const observer = new MutationObserver((mutations) => {
    for (const m of mutations) {
      if (m.type === 'childList') {
        m.addedNodes.forEach((n) => rewrite(n, dictionary, skip));
      } else {
        rewrite(m.target, dictionary, skip);
      }
    }
  });
  observer.observe(root, { childList: true, subtree: true, characterData: true, attributes: true,
    attributeFilter: ATTRIBUTES });
  return observer;
}
