// An application of the OpenAI SDK for tst_reverseproxy: its base URL comes from
// OPENAI_BASE_URL, as a real application's would. Lists the models, then streams a chat
// completion and prints what it got, one line each.
import OpenAI from 'openai';

const client = new OpenAI({ apiKey: process.env.OPENAI_API_KEY, maxRetries: 0 });
const models = await client.models.list();
console.log('models: ' + models.data.map((model) => model.id).join(','));
const stream = await client.chat.completions.create({
    model: 'gpt-test',
    stream: true,
    messages: [{ role: 'user', content: 'Say hello' }],
});
let text = '';
for await (const chunk of stream)
    text += chunk.choices[0]?.delta?.content ?? '';
console.log('text: ' + text);
